using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Navarch.E2E.Infrastructure;

/// <summary>A kubectl process that keeps running (e.g. <c>kubectl get -w</c>); collects its output until disposed.</summary>
public sealed class KubectlStream : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _commandLine;
    private readonly List<string> _lines = [];
    private readonly StringBuilder _stderr = new();
    private readonly Lock _gate = new();

    internal KubectlStream(Process process, string commandLine)
    {
        _process = process;
        _commandLine = commandLine;
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_gate)
                {
                    _lines.Add(e.Data.TrimEnd());
                }
            }
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_gate)
                {
                    _stderr.AppendLine(e.Data);
                }
            }
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_gate)
            {
                return _lines.ToArray();
            }
        }
    }

    /// <summary>Polls until a stdout line matches, or the deadline passes (then returns null).</summary>
    public async Task<string?> WaitForLineAsync(Regex pattern, TimeSpan deadline, int skip = 0)
    {
        var stop = DateTime.UtcNow + deadline;
        while (true)
        {
            var match = Lines.Skip(skip).FirstOrDefault(pattern.IsMatch);
            if (match is not null || DateTime.UtcNow > stop)
            {
                return match;
            }

            await Task.Delay(50);
        }
    }

    public override string ToString()
    {
        lock (_gate)
        {
            return $"$ {_commandLine}\nrunning: {!_process.HasExited}\n--- stdout ---\n{string.Join('\n', _lines)}\n--- stderr ---\n{_stderr}";
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _process.WaitForExitAsync(deadline.Token);
        _process.Dispose();
    }
}
