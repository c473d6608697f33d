using System.Diagnostics;
using System.Globalization;

namespace Navarch.Bench;

/// <summary>
/// <c>navarch server</c> from this checkout's Release build as a child process, on loopback only, with its state in a
/// directory the caller chooses; killed (with any children) on dispose.
/// </summary>
internal sealed class NavarchServerProcess : IAsyncDisposable
{
    private const string CliProject = "src/Navarch.Cli";
    private const string CliOutput = "src/Navarch.Cli/bin/Release/net10.0";
    private const string CliAssembly = "navarch.dll";

    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly ChildProcess _process;

    private NavarchServerProcess(ChildProcess process) => _process = process;

    public int ProcessId => _process.Id;

    /// <summary>Where the server wrote its admin kubeconfig (client certificate auth).</summary>
    public required string KubeconfigPath { get; init; }

    /// <summary>The server's copy of the CLI assembly, from which other components of the same build can be started.</summary>
    public required string AssemblyPath { get; init; }

    /// <summary>
    /// Builds the CLI in Release when its assembly is missing or older than a source file (as the repo's
    /// <c>./navarch</c> wrapper decides), copies the build into <paramref name="binDir"/>, and starts
    /// <c>navarch server</c> from there on 127.0.0.1 with a port the kernel picks (written into the kubeconfig, so
    /// there is no race for a "free" port), without the node agent.
    /// </summary>
    /// <remarks>
    /// The copy is the server's own: a rebuild of the checkout while the benchmark runs rewrites the assemblies the
    /// server has mapped, and the server dies mid-run.
    /// </remarks>
    public static Task<NavarchServerProcess> StartAsync(string binDir, string dataDir, CancellationToken ct) =>
        StartAsync(binDir, dataDir, [], ct);

    /// <summary>As <see cref="StartAsync(string, string, CancellationToken)"/>, with extra <c>navarch server</c> flags.</summary>
    public static Task<NavarchServerProcess> StartAsync(string binDir, string dataDir, IEnumerable<string> extraArguments, CancellationToken ct) =>
        StartAsync(binDir, dataDir, extraArguments, withAgent: false, ct);

    /// <summary>
    /// As <see cref="StartAsync(string, string, IEnumerable{string}, CancellationToken)"/>; with
    /// <paramref name="withAgent"/> the server also runs its node agent (its own containerd under
    /// <c>&lt;dataDir&gt;/agent</c>, real containers), which needs root and the runtime packages.
    /// </summary>
    public static async Task<NavarchServerProcess> StartAsync(
        string binDir, string dataDir, IEnumerable<string> extraArguments, bool withAgent, CancellationToken ct)
    {
        var root = RepositoryRoot();
        var output = Path.Combine(root, CliOutput);
        if (NeedsBuild(root, Path.Combine(output, CliAssembly)))
        {
            Console.WriteLine($"building {CliProject} (Release)...");
            await BuildAsync(root, ct).ConfigureAwait(false);
        }

        CopyDirectory(output, binDir);
        var assembly = Path.Combine(binDir, CliAssembly);

        var process = ChildProcess.Start("dotnet", [
            assembly, "server",
            "--data-dir", dataDir,
            "--https-port", "0",
            "--bind-address", "127.0.0.1",
            .. (withAgent ? Array.Empty<string>() : ["--disable-agent"]),
            .. extraArguments,
        ]);
        return new NavarchServerProcess(process) { KubeconfigPath = Path.Combine(dataDir, "kubeconfig.yaml"), AssemblyPath = assembly };
    }

    /// <summary>
    /// Waits for the kubeconfig (written once Kestrel listens) and then for <c>/readyz</c> to answer 200 to a client
    /// built from it; returns that kubeconfig's credentials.
    /// </summary>
    public async Task<KubeconfigCredentials> WaitReadyAsync(Func<KubeconfigCredentials, HttpClient> clientFactory, CancellationToken ct)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(StartTimeout.TotalSeconds * Stopwatch.Frequency);
        KubeconfigCredentials? credentials = null;
        HttpClient? http = null;
        try
        {
            while (true)
            {
                if (_process.HasExited)
                {
                    throw new InvalidOperationException($"navarch server exited with code {_process.ExitCode} while starting:\n{_process.Output()}");
                }

                if (credentials is null && File.Exists(KubeconfigPath))
                {
                    credentials = KubeconfigCredentials.Load(KubeconfigPath);
                    http = clientFactory(credentials);
                }

                if (http is not null && credentials is not null && await IsReadyAsync(http, credentials.Server, ct).ConfigureAwait(false))
                {
                    return credentials;
                }

                if (Stopwatch.GetTimestamp() > deadline)
                {
                    throw new InvalidOperationException($"navarch server was not ready within {StartTimeout}:\n{_process.Output()}");
                }

                await Task.Delay(20, ct).ConfigureAwait(false);
            }
        }
        catch
        {
            credentials?.Dispose();
            throw;
        }
        finally
        {
            http?.Dispose();
        }
    }

    /// <summary>The server's resident set (VmRSS of /proc/&lt;pid&gt;/status) in bytes.</summary>
    public long ResidentBytes() => StatusKilobytes("VmRSS:") * 1024;

    /// <summary>The server's peak resident set (VmHWM) in bytes.</summary>
    public long PeakResidentBytes() => StatusKilobytes("VmHWM:") * 1024;

    /// <summary>User plus system CPU time the server has used so far.</summary>
    public TimeSpan CpuTime()
    {
        return _process.TotalProcessorTime();
    }

    /// <summary>Stops the server with SIGTERM (its agent then stops containerd); false if it outlived <paramref name="timeout"/>.</summary>
    public Task<bool> TerminateAsync(TimeSpan timeout) => _process.TerminateAsync(timeout);

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    private static async Task<bool> IsReadyAsync(HttpClient http, Uri server, CancellationToken ct)
    {
        try
        {
            using var response = await http.GetAsync(new Uri(server, "/readyz"), ct).ConfigureAwait(false);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            // Not serving yet.
            return false;
        }
    }

    private long StatusKilobytes(string field)
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                // "VmRSS:	  123456 kB"
                var digits = line[field.Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
                return long.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"/proc/{_process.Id}/status has no {field} line");
    }

    /// <summary>Whether the server is still running, and its last lines of output (for a failure's message).</summary>
    public async Task<string> DescribeAsync()
    {
        // A server that just died may not have been reaped yet; give it a moment so the report says so.
        using var settle = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        try
        {
            await _process.WaitForExitAsync(settle.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Still running.
        }

        return $"navarch server {(_process.HasExited ? $"exited with code {_process.ExitCode}" : "is running")}; its last output:\n{_process.Output()}";
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            // A path built from a directory and a file name always has a directory part.
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Navarch.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no Navarch.slnx above {AppContext.BaseDirectory}; run the benchmark from the checkout");
    }

    private static bool NeedsBuild(string root, string assembly)
    {
        if (!File.Exists(assembly))
        {
            return true;
        }

        var built = File.GetLastWriteTimeUtc(assembly);
        var sources = Directory.EnumerateFiles(Path.Combine(root, "src"), "*", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("/bin/", StringComparison.Ordinal))
            .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".csproj", StringComparison.Ordinal))
            .Append(Path.Combine(root, "Directory.Build.props"))
            .Append(Path.Combine(root, "Directory.Packages.props"));
        return sources.Any(f => File.Exists(f) && File.GetLastWriteTimeUtc(f) > built);
    }

    private static async Task BuildAsync(string root, CancellationToken ct)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["build", CliProject, "-c", "Release", "-v", "q", "-nologo"])
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start dotnet build");
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(BuildTimeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet build {CliProject} failed:\n{await stdout.ConfigureAwait(false)}{await stderr.ConfigureAwait(false)}");
        }
    }
}
