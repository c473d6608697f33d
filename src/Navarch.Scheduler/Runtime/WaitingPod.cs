using k8s.Models;
using Navarch.Scheduler.Framework;

namespace Navarch.Scheduler.Runtime;

/// <summary>
/// A reserved pod held by Permit plugins that returned Wait, as kube-scheduler's waitingPod: each such plugin
/// must <see cref="Allow"/> it before its timeout, and any one may <see cref="Reject"/> it.
/// </summary>
public sealed class WaitingPod : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, ITimer> _pending = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource<Status> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal WaitingPod(V1Pod pod, IReadOnlyDictionary<string, TimeSpan> waitTimes, TimeProvider time)
    {
        Pod = pod;
        lock (_lock)
        {
            foreach (var (plugin, timeout) in waitTimes)
            {
                var name = plugin;
                _pending[name] = time.CreateTimer(
                    _ => Reject(name, $"rejected due to timeout after waiting {timeout} at plugin {name}"),
                    null,
                    timeout,
                    Timeout.InfiniteTimeSpan);
            }
        }
    }

    public V1Pod Pod { get; }

    /// <summary>Plugins that have not allowed the pod yet.</summary>
    public IReadOnlyList<string> PendingPlugins
    {
        get
        {
            lock (_lock) return [.. _pending.Keys];
        }
    }

    internal Task<Status> Result => _result.Task;

    /// <summary>Marks <paramref name="plugin"/> as allowing the pod; the pod goes on once no plugin is pending.</summary>
    public void Allow(string plugin)
    {
        lock (_lock)
        {
            if (_pending.Remove(plugin, out var timer)) timer.Dispose();
            if (_pending.Count > 0) return;
        }

        _result.TrySetResult(Status.Success);
    }

    /// <summary>Rejects the pod; the binding cycle unreserves it and sends it back to the queue.</summary>
    public void Reject(string plugin, string message)
    {
        lock (_lock)
        {
            foreach (var timer in _pending.Values) timer.Dispose();
            _pending.Clear();
        }

        _result.TrySetResult(Status.Unschedulable(message).WithPlugin(plugin));
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var timer in _pending.Values) timer.Dispose();
            _pending.Clear();
        }
    }
}
