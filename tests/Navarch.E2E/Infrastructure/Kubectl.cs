using System.Diagnostics;

namespace Navarch.E2E.Infrastructure;

/// <summary>
/// Runs the stock <c>/usr/bin/kubectl</c> against the fixture's server: always with its kubeconfig and a private
/// discovery cache, so neither the user's ~/.kube nor another run's cache can change what a test sees.
/// </summary>
public sealed class Kubectl
{
    private const string Executable = "/usr/bin/kubectl";
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private readonly string _kubeconfig;
    private readonly string _cacheDir;
    private readonly string _home;

    public Kubectl(string kubeconfig, string cacheDir, string home)
    {
        _kubeconfig = kubeconfig;
        _cacheDir = cacheDir;
        _home = home;
    }

    /// <summary>Runs kubectl to completion; on timeout kills it and returns exit code -1 with what it printed so far.</summary>
    public Task<KubectlResult> RunAsync(params string[] args) => RunAsync(args, stdin: null, timeout: null, CancellationToken.None);

    /// <summary>Runs kubectl with <paramref name="stdin"/> written to its standard input (for <c>-f -</c>).</summary>
    public Task<KubectlResult> RunWithInputAsync(string stdin, params string[] args) =>
        RunAsync(args, stdin, timeout: null, CancellationToken.None);

    public async Task<KubectlResult> RunAsync(IReadOnlyList<string> args, string? stdin, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        using var process = Start(args, redirectStdin: stdin is not null);
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin.AsMemory(), cancellationToken);
            process.StandardInput.Close();
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout ?? DefaultTimeout);
        var exitCode = -1;
        try
        {
            await process.WaitForExitAsync(deadline.Token);
            exitCode = process.ExitCode;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
        }

        var err = await stderr;
        if (exitCode == -1)
        {
            err += $"\n[e2e] kubectl did not finish within {timeout ?? DefaultTimeout} and was killed";
        }

        return new KubectlResult(Describe(args), exitCode, await stdout, err);
    }

    /// <summary>Starts a long-running kubectl (such as <c>get -w</c>) whose output lines a test can wait for.</summary>
    public KubectlStream StartStreaming(params string[] args) => new(Start(args, redirectStdin: false), Describe(args));

    private Process Start(IReadOnlyList<string> args, bool redirectStdin)
    {
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectStdin,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("--kubeconfig");
        start.ArgumentList.Add(_kubeconfig);
        start.ArgumentList.Add("--cache-dir");
        start.ArgumentList.Add(_cacheDir);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // A private HOME keeps kubectl from reading or writing the user's ~/.kube; KUBECONFIG is cleared so that
        // only --kubeconfig counts.
        start.Environment["HOME"] = _home;
        start.Environment.Remove("KUBECONFIG");
        return Process.Start(start) ?? throw new InvalidOperationException($"{Executable} did not start");
    }

    private static string Describe(IReadOnlyList<string> args) =>
        "kubectl " + string.Join(' ', args.Select(a => a.Contains(' ', StringComparison.Ordinal) || a.Length == 0 ? $"'{a}'" : a));
}
