using System.Diagnostics;

namespace Navarch.ApiServer.Tests.Discovery;

/// <summary>
/// Runs the real <c>/usr/bin/kubectl</c> against a test server with a fresh discovery cache, either with no kubeconfig
/// (a plain-HTTP discovery server) or with a server's admin kubeconfig.
/// </summary>
internal sealed class Kubectl : IDisposable
{
    private const string Path = "/usr/bin/kubectl";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private readonly string _directory = Directory.CreateTempSubdirectory("navarch-kubectl-").FullName;
    private readonly Uri? _server;
    private readonly string _kubeconfig;

    public Kubectl(Uri server)
    {
        _server = server;
        _kubeconfig = System.IO.Path.Combine(_directory, "kubeconfig");
        File.WriteAllText(_kubeconfig, "");
    }

    /// <summary>Runs against the server and credentials a kubeconfig names (a full API server with client certificates).</summary>
    public Kubectl(string kubeconfig) => _kubeconfig = kubeconfig;

    public async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo(Path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (_server is not null)
        {
            start.ArgumentList.Add("--server");
            start.ArgumentList.Add(_server.ToString().TrimEnd('/'));
        }

        start.ArgumentList.Add("--cache-dir");
        start.ArgumentList.Add(System.IO.Path.Combine(_directory, "cache"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["KUBECONFIG"] = _kubeconfig;
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
