using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Navarch.Bench;

/// <summary>
/// One watch on <c>/api/v1/pods</c> that records, for each measured pod (<see cref="SchedulerScenario.PodName"/>),
/// the <see cref="Stopwatch"/> timestamp at which it was first seen with <c>spec.nodeName</c> set; and whether the
/// warm-up pod has been bound. Reconnects from the last resourceVersion if the server ends the stream.
/// </summary>
/// <remarks>The timestamp is when this process read the event: with the bench on the same cores, it includes the
/// bench's own lag behind the stream.</remarks>
internal sealed class SchedulerPodWatch : IAsyncDisposable
{
    public const string WarmupPodName = "warmup";

    private readonly HttpClient _http;
    private readonly long[] _bound;
    private readonly TaskCompletionSource _established = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _warmupBound = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _allBound = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop;
    private int _boundCount;
    private Task _loop = Task.CompletedTask;

    private SchedulerPodWatch(HttpClient http, int pods, CancellationToken ct)
    {
        _http = http;
        _bound = new long[pods];
        _stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (pods == 0)
        {
            _allBound.TrySetResult();
        }
    }

    public int BoundCount => Volatile.Read(ref _boundCount);

    /// <summary>Starts the watch and returns once the server has answered it (so later creates are all seen).</summary>
    public static async Task<SchedulerPodWatch> StartAsync(HttpClient http, int pods, CancellationToken ct)
    {
        var watch = new SchedulerPodWatch(http, pods, ct);
        watch._loop = Task.Run(() => watch.RunAsync(watch._stop.Token), CancellationToken.None);
        await Task.WhenAny(watch._established.Task, watch._loop).WaitAsync(TimeSpan.FromSeconds(30), ct).ConfigureAwait(false);
        if (watch._loop.IsFaulted)
        {
            await watch._loop.ConfigureAwait(false);
        }

        return watch;
    }

    /// <summary>When pod <paramref name="index"/> was first seen bound; 0 if not yet.</summary>
    public long BoundTimestamp(int index) => Volatile.Read(ref _bound[index]);

    public Task WaitWarmupBoundAsync(TimeSpan timeout, CancellationToken ct) => WaitAsync(_warmupBound.Task, timeout, ct);

    /// <summary>Waits until every measured pod is bound; false if <paramref name="timeout"/> passes first.</summary>
    public async Task<bool> WaitAllBoundAsync(TimeSpan timeout, CancellationToken ct)
    {
        try
        {
            await WaitAsync(_allBound.Task, timeout, ct).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The stop above.
        }
        catch (Exception e) when (e is HttpRequestException or IOException or InvalidOperationException)
        {
            // Already reported by a wait, or irrelevant once the run is over.
        }

        _stop.Dispose();
    }

    /// <summary>Waits for <paramref name="task"/>, but surfaces the watch's failure rather than a timeout if the watch died.</summary>
    private async Task WaitAsync(Task task, TimeSpan timeout, CancellationToken ct)
    {
        await Task.WhenAny(task, _loop).WaitAsync(timeout, ct).ConfigureAwait(false);
        if (!task.IsCompleted)
        {
            await _loop.ConfigureAwait(false);
            throw new InvalidOperationException("the pod watch ended");
        }
    }

    private Task RunAsync(CancellationToken ct) => WatchStream.RunAsync(_http, "/api/v1/pods?watch=1", Observe, _established, ct);

    /// <summary>Records one watch event.</summary>
    private void Observe(string type, JsonElement obj)
    {
        var now = Stopwatch.GetTimestamp();
        var metadata = obj.GetProperty("metadata");
        if (type is not ("ADDED" or "MODIFIED")
            || !obj.TryGetProperty("spec", out var spec)
            || !spec.TryGetProperty("nodeName", out var nodeName) || string.IsNullOrEmpty(nodeName.GetString())
            || metadata.GetProperty("namespace").GetString() != SchedulerScenario.Namespace)
        {
            return;
        }

        var name = metadata.GetProperty("name").GetString();
        if (name == WarmupPodName)
        {
            _warmupBound.TrySetResult();
        }
        else if (name is not null && name.StartsWith("pod-", StringComparison.Ordinal)
            && int.TryParse(name.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            && index < _bound.Length
            && Interlocked.CompareExchange(ref _bound[index], now, 0) == 0
            && Interlocked.Increment(ref _boundCount) == _bound.Length)
        {
            _allBound.TrySetResult();
        }
    }
}
