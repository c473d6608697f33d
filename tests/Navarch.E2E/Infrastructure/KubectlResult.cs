namespace Navarch.E2E.Infrastructure;

/// <summary>What one kubectl run printed and how it ended.</summary>
public sealed record KubectlResult(string CommandLine, int ExitCode, string Stdout, string Stderr)
{
    /// <summary>Stdout split into lines, trailing whitespace removed (kubectl pads table cells).</summary>
    public IReadOnlyList<string> StdoutLines =>
        Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd()).Where(l => l.Length > 0).ToArray();

    public override string ToString() =>
        $"$ {CommandLine}\nexit code: {ExitCode}\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
}
