using System.Diagnostics;

namespace Navarch.ApiServer.Tests.Discovery;

/// <summary>Runs the real <c>/usr/bin/kubectl</c> against a test server, with a fresh discovery cache and no kubeconfig.</summary>
internal sealed class Kubectl : IDisposable
{
    private const string Path = "/usr/bin/kubectl";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private readonly string _directory = Directory.CreateTempSubdirectory("navarch-kubectl-").FullName;
    private readonly Uri _server;

    public Kubectl(Uri server)
    {
        _server = server;
        File.WriteAllText(System.IO.Path.Combine(_directory, "kubeconfig"), "");
    }

    public async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo(Path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("--server");
        start.ArgumentList.Add(_server.ToString().TrimEnd('/'));
        start.ArgumentList.Add("--cache-dir");
        start.ArgumentList.Add(System.IO.Path.Combine(_directory, "cache"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["KUBECONFIG"] = System.IO.Path.Combine(_directory, "kubeconfig");
        start.Environment["HOME"] = _directory;

        using var process = Process.Start(start) ?? throw new InvalidOperationException("kubectl did not start");
        using var timeout = new CancellationTokenSource(Deadline);
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"kubectl {string.Join(' ', args)} did not finish within {Deadline}");
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
