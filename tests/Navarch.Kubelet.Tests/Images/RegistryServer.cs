using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Navarch.Kubelet.Tests.Images;

/// <summary>
/// Debian's <c>docker-registry</c> (distribution v2) on a free loopback port with filesystem storage in a temporary
/// directory, optionally behind htpasswd basic auth. Images are pushed into it with <c>skopeo</c>.
/// </summary>
internal sealed class RegistryServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    private RegistryServer(Process process, string directory, int port, (string User, string Password)? credentials)
    {
        _process = process;
        _directory = directory;
        Port = port;
        Credentials = credentials;
    }

    public int Port { get; }

    /// <summary>host:port, as image references name the registry.</summary>
    public string Host => $"127.0.0.1:{Port}";

    public (string User, string Password)? Credentials { get; }

    public string LogPath => Path.Combine(_directory, "registry.log");

    public static async Task<RegistryServer> StartAsync((string User, string Password)? credentials, CancellationToken cancellationToken)
    {
        var directory = Directory.CreateTempSubdirectory("nvreg-").FullName;
        var port = FreePort();
        var auth = string.Empty;
        if (credentials is { } c)
        {
            var htpasswd = Path.Combine(directory, "htpasswd");
            var line = await ToolRunner.RunCheckedAsync("htpasswd", ["-Bbn", c.User, c.Password], TimeSpan.FromSeconds(20));
            await File.WriteAllTextAsync(htpasswd, line.Trim() + "\n", cancellationToken);
            auth = $"auth:\n  htpasswd:\n    realm: navarch-test\n    path: {htpasswd}\n";
        }

        var config = Path.Combine(directory, "config.yml");
        await File.WriteAllTextAsync(config,
            "version: 0.1\n" +
            "log:\n  level: warn\n" +
            $"storage:\n  filesystem:\n    rootdirectory: {Path.Combine(directory, "data")}\n  delete:\n    enabled: true\n" +
            $"http:\n  addr: 127.0.0.1:{port}\n" +
            auth,
            cancellationToken);

        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        foreach (var argument in new[] { "-c", "exec docker-registry serve \"$0\" >>\"$1\" 2>&1 </dev/null", config, Path.Combine(directory, "registry.log") })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start docker-registry");
        var server = new RegistryServer(process, directory, port, credentials);
        try
        {
            await server.WaitReadyAsync(cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Copies an image tarball (<c>oci-archive:</c> or <c>docker-archive:</c> source) to <c>&lt;host&gt;/&lt;repository&gt;</c>.</summary>
    public async Task PushAsync(string source, string repositoryAndTag)
    {
        var arguments = new List<string>
        {
            "--insecure-policy", "copy", "--dest-tls-verify=false",
        };
        if (Credentials is { } c)
        {
            arguments.Add("--dest-creds");
            arguments.Add($"{c.User}:{c.Password}");
        }

        arguments.Add(source);
        arguments.Add($"docker://{Host}/{repositoryAndTag}");
        await ToolRunner.RunCheckedAsync("skopeo", arguments, TimeSpan.FromSeconds(60));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync(CancellationToken.None);
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A temp directory left behind must not fail the tests.
        }
    }

    private async Task WaitReadyAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"docker-registry exited with {_process.ExitCode}: {await ReadLogAsync()}");
            }

            try
            {
                using var response = await http.GetAsync($"http://{Host}/v2/", cancellationToken);
                // 200 without auth, 401 with: either way it serves the v2 API.
                if (response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Unauthorized)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
            }
            catch (TaskCanceledException) when (DateTime.UtcNow < deadline && !cancellationToken.IsCancellationRequested)
            {
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException($"docker-registry did not answer on {Host}: {await ReadLogAsync()}");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    private async Task<string> ReadLogAsync() => File.Exists(LogPath) ? await File.ReadAllTextAsync(LogPath) : "(no log)";

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
