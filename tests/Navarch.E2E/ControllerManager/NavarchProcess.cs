using System.Diagnostics;
using System.Globalization;

namespace Navarch.E2E.ControllerManager;

/// <summary>
/// One <c>dotnet navarch.dll ...</c> child process whose output goes to a log file, which a test can stop with
/// SIGTERM (a clean shutdown) or SIGKILL (a crash).
/// </summary>
public sealed class NavarchProcess : IAsyncDisposable
{
    private static readonly TimeSpan ExitDeadline = TimeSpan.FromSeconds(15);

    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly Lock _logGate = new();
    private bool _logClosed;
    private int _disposed;

    private NavarchProcess(Process process, string name, string logPath)
    {
        _process = process;
        Name = name;
        LogPath = logPath;
        _log = new StreamWriter(logPath) { AutoFlush = true };
    }

    /// <summary>A label for messages, such as <c>controller-manager-1</c>.</summary>
    public string Name { get; }

    public string LogPath { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The exit code; only valid once <see cref="HasExited"/>.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>Whether the process printed a line containing <paramref name="text"/> so far.</summary>
    public bool LogContains(string text) => ReadLog().Contains(text, StringComparison.Ordinal);

    public static NavarchProcess Start(string dll, string workingDirectory, string name, string logPath, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var child = new NavarchProcess(process, name, logPath);
        child.Write($"[e2e] {DateTime.Now:HH:mm:ss.fff} starting dotnet {string.Join(' ', start.ArgumentList)}");
        process.Exited += (_, _) => child.Write($"[e2e] {DateTime.Now:HH:mm:ss.fff} exited");
        process.OutputDataReceived += (_, e) => child.Write(e.Data);
        process.ErrorDataReceived += (_, e) => child.Write(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>SIGKILL: the process gets no chance to release its lease or finish a request, as in a crash.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            Write($"[e2e] {DateTime.Now:HH:mm:ss.fff} SIGKILL");
            _process.Kill(entireProcessTree: true);
        }

        await WaitForExitAsync();
    }

    /// <summary>SIGTERM: the .NET host stops its hosted services, so a leader releases its lease on the way out.</summary>
    public async Task TerminateAsync()
    {
        if (_process.HasExited)
        {
            return;
        }

        Write($"[e2e] {DateTime.Now:HH:mm:ss.fff} SIGTERM");
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        await WaitForExitAsync();
    }

    /// <summary>The last lines the process printed, for failure messages.</summary>
    public string LogTail(int lines = 30)
    {
        return $"--- {Name} log tail ({LogPath}) ---\n" + string.Join('\n', ReadLog().Split('\n').TakeLast(lines));
    }

    /// <summary>Everything the process printed so far.</summary>
    public string ReadLog()
    {
        try
        {
            using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
        catch (IOException e)
        {
            return $"({Name} log unreadable: {e.Message})";
        }
    }

    /// <summary>Kills the process if it still runs; safe to call more than once (a test and the cluster both do).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            await KillAsync();
        }
        finally
        {
            _process.Dispose();
            lock (_logGate)
            {
                _logClosed = true;
                _log.Dispose();
            }
        }
    }

    private async Task WaitForExitAsync()
    {
        using var deadline = new CancellationTokenSource(ExitDeadline);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            throw new InvalidOperationException($"{Name} (pid {_process.Id}) did not exit within {ExitDeadline}\n{LogTail()}");
        }
    }

    private void Write(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_logGate)
        {
            // Output can still arrive from the reader threads after disposal; it is dropped then.
            if (!_logClosed)
            {
                _log.WriteLine(line);
            }
        }
    }
}
