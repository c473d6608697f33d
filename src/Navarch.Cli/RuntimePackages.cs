using System.Diagnostics;

namespace Navarch.Cli;

/// <summary>
/// The Debian packages the node agent runs containers with. As k3s' installer does, on Debian or Ubuntu as root
/// the missing ones are installed (and the user is told); elsewhere a clear error names them.
/// </summary>
internal static class RuntimePackages
{
    private static readonly (string Command, string Package)[] Needed =
    [
        ("containerd", "containerd"),
        ("runc", "runc"),
        ("/usr/lib/cni/bridge", "containernetworking-plugins"),
    ];

    /// <summary>Installs what is missing when it can; returns an error message when something is still missing.</summary>
    public static async Task<string?> EnsureAsync(string? containerRuntimeEndpoint, CancellationToken cancellationToken)
    {
        // An existing runtime needs only the CNI plugins it is configured with, which are its owner's business.
        if (containerRuntimeEndpoint is not null) return null;

        var missing = Needed.Where(n => !IsPresent(n.Command)).Select(n => n.Package).ToArray();
        if (missing.Length == 0) return null;

        var packages = string.Join(' ', missing);
        if (!CanInstall())
        {
            return $"the node agent needs {packages}; install them (Debian/Ubuntu: apt-get install {packages}) or pass --disable-agent";
        }

        await Console.Error.WriteLineAsync($"navarch: installing {packages} for the node agent").ConfigureAwait(false);
        if (await RunAsync("apt-get", ["update", "-qq"], cancellationToken).ConfigureAwait(false) != 0
            || await RunAsync("apt-get", ["install", "-y", "-qq", .. missing], cancellationToken).ConfigureAwait(false) != 0)
        {
            return $"installing {packages} failed; install them by hand or pass --disable-agent";
        }

        return null;
    }

    private static bool IsPresent(string command) =>
        command.StartsWith('/')
            ? File.Exists(command)
            : (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':').Any(dir => File.Exists(Path.Combine(dir, command)));

    private static bool CanInstall() =>
        Environment.UserName == "root" && IsPresent("apt-get") && File.Exists("/etc/debian_version");

    private static async Task<int> RunAsync(string file, string[] arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            await Console.Error.WriteLineAsync(await errors.ConfigureAwait(false)).ConfigureAwait(false);
        }

        await output.ConfigureAwait(false);
        return process.ExitCode;
    }
}
