using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Navarch.Bench;

/// <summary>
/// One watch on the benchmark namespace's pods that records, per pod name, when this process first saw it bound
/// (<c>spec.nodeName</c> set) and first saw it Running (<c>status.phase</c>), as <see cref="Stopwatch"/> timestamps and
/// wall-clock times; plus the pod's own <c>creationTimestamp</c> and, for pods that are not Running, the last phase
/// and container waiting reason (for a failure's message). Reconnects from the last resourceVersion if the server
/// ends the stream.
/// </summary>
/// <remarks>
/// The observation times are upstream's "watch" times (clusterloader2's PodStartupLatency ends at the informer seeing
/// Running). With the bench on the same cores they include the bench's own lag behind the stream.
/// </remarks>
internal sealed class PodStartupWatch : IAsyncDisposable
{
    private readonly HttpClient _http;
    private readonly string _namespace;
    private readonly Dictionary<string, PodObservation> _pods = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly TaskCompletionSource _established = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _loop = Task.CompletedTask;

    private PodStartupWatch(HttpClient http, string ns, CancellationToken ct)
    {
        _http = http;
        _namespace = ns;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
    }

    /// <summary>Starts the watch and returns once the server has answered it (so later creates are all seen).</summary>
    public static async Task<PodStartupWatch> StartAsync(HttpClient http, string ns, CancellationToken ct)
    {
        var watch = new PodStartupWatch(http, ns, ct);
        watch._loop = Task.Run(() => watch.RunAsync(watch._stop.Token), CancellationToken.None);
        await Task.WhenAny(watch._established.Task, watch._loop).WaitAsync(TimeSpan.FromSeconds(30), ct).ConfigureAwait(false);
        if (watch._loop.IsFaulted)
        {
            await watch._loop.ConfigureAwait(false);
        }

        return watch;
    }

    /// <summary>What has been seen of <paramref name="name"/> so far (a copy); null if it was never seen.</summary>
    public PodObservation? Get(string name)
    {
        lock (_lock)
        {
            return _pods.TryGetValue(name, out var pod) ? pod : null;
        }
    }

    /// <summary>How many of <paramref name="names"/> have been seen Running, and how many are still present.</summary>
    public (int Running, int Present) Count(IEnumerable<string> names)
    {
        lock (_lock)
        {
            var running = 0;
            var present = 0;
            foreach (var name in names)
            {
                if (_pods.TryGetValue(name, out var pod) && !pod.Deleted)
                {
                    present++;
                    if (pod.RunningSeen != 0)
                    {
                        running++;
                    }
                }
            }

            return (running, present);
        }
    }

    /// <summary>
    /// Polls <paramref name="done"/> after every event until it holds; false when <paramref name="timeout"/> passes
    /// first. Throws if the watch itself ended.
    /// </summary>
    public async Task<bool> WaitUntilAsync(Func<PodStartupWatch, bool> done, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                changed = _changed.Task;
            }

            if (done(this))
            {
                return true;
            }

            if (_loop.IsCompleted)
            {
                await _loop.ConfigureAwait(false);
                throw new InvalidOperationException("the pod watch ended");
            }

            var left = TimeSpan.FromSeconds((double)(deadline - Stopwatch.GetTimestamp()) / Stopwatch.Frequency);
            if (left <= TimeSpan.Zero)
            {
                return false;
            }

            try
            {
                await Task.WhenAny(changed, _loop).WaitAsync(left, ct).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return done(this);
            }
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
        catch (Exception e) when (e is HttpRequestException or IOException or InvalidOperationException or JsonException)
        {
            // Already reported by a wait, or irrelevant once the run is over.
        }

        _stop.Dispose();
    }

    private Task RunAsync(CancellationToken ct) =>
        WatchStream.RunAsync(_http, $"/api/v1/namespaces/{_namespace}/pods?watch=1", Observe, _established, ct);

    private void Observe(string type, JsonElement obj)
    {
        var now = Stopwatch.GetTimestamp();
        var wall = DateTime.UtcNow;
        if (type == "BOOKMARK" || !obj.TryGetProperty("metadata", out var metadata) || metadata.GetProperty("name").GetString() is not { } name)
        {
            return;
        }

        TaskCompletionSource changed;
        lock (_lock)
        {
            var pod = _pods.TryGetValue(name, out var known) && known.Uid == Uid(metadata) ? known : new PodObservation(Uid(metadata), CreationTimestamp(metadata));
            if (type == "DELETED")
            {
                pod = pod with { Deleted = true };
            }
            else
            {
                var bound = obj.TryGetProperty("spec", out var spec)
                    && spec.TryGetProperty("nodeName", out var nodeName) && !string.IsNullOrEmpty(nodeName.GetString());
                var phase = obj.TryGetProperty("status", out var status) && status.TryGetProperty("phase", out var p) ? p.GetString() : null;
                if (bound && pod.BoundSeen == 0)
                {
                    pod = pod with { BoundSeen = now };
                }

                if (phase == "Running" && pod.RunningSeen == 0)
                {
                    pod = pod with { RunningSeen = now, RunningSeenWall = wall };
                }

                pod = pod with { Phase = phase, Waiting = WaitingReason(status) };
            }

            _pods[name] = pod;
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    private static string Uid(JsonElement metadata) => metadata.TryGetProperty("uid", out var uid) ? uid.GetString() ?? "" : "";

    private static DateTime? CreationTimestamp(JsonElement metadata) =>
        metadata.TryGetProperty("creationTimestamp", out var created) && created.GetString() is { } text
            && DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var time)
            ? time
            : null;

    /// <summary>The first container waiting reason in the status (e.g. ErrImagePull), for a failure's message.</summary>
    private static string? WaitingReason(JsonElement status)
    {
        if (status.ValueKind != JsonValueKind.Object || !status.TryGetProperty("containerStatuses", out var containers))
        {
            return null;
        }

        foreach (var container in containers.EnumerateArray())
        {
            if (container.TryGetProperty("state", out var state) && state.TryGetProperty("waiting", out var waiting)
                && waiting.TryGetProperty("reason", out var reason))
            {
                return reason.GetString();
            }
        }

        return null;
    }
}
