using System.Diagnostics;
using System.Text.Json;

namespace Navarch.Bench;

/// <summary>
/// One watch on the benchmark namespace's pods that counts the pods ever created, those still present and those bound
/// (<c>spec.nodeName</c> set), and records the <see cref="Stopwatch"/> timestamps at which the created and bound counts
/// first reached the target. Reconnects from the last resourceVersion if the server ends the stream.
/// </summary>
/// <remarks>Timestamps are when this process read the event: with the bench on the same cores, they include the bench's
/// own lag behind the stream. Only this loop writes the counters, so plain fields with volatile reads suffice.</remarks>
internal sealed class DeploymentPodWatch : IAsyncDisposable
{
    private readonly HttpClient _http;
    private readonly string _namespace;
    private readonly int _target;
    private readonly Dictionary<string, bool> _boundByName = new(StringComparer.Ordinal);
    private readonly long[] _createdAt;
    private readonly TaskCompletionSource _established = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _allBound = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop;
    private int _created;
    private int _present;
    private int _bound;
    private long _firstCreated;
    private long _allCreatedAt;
    private long _allBoundAt;
    private Task _loop = Task.CompletedTask;

    private DeploymentPodWatch(HttpClient http, string ns, int target, CancellationToken ct)
    {
        _http = http;
        _namespace = ns;
        _target = target;
        _createdAt = new long[target];
        _stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
    }

    /// <summary>Distinct pods seen created since the watch started (more than the target means over-creation).</summary>
    public int Created => Volatile.Read(ref _created);

    /// <summary>Pods seen created and not (yet) seen deleted.</summary>
    public int Present => Volatile.Read(ref _present);

    /// <summary>Present pods seen with a node.</summary>
    public int Bound => Volatile.Read(ref _bound);

    /// <summary>When the first pod was seen; 0 if none yet.</summary>
    public long FirstCreatedTimestamp => Volatile.Read(ref _firstCreated);

    /// <summary>When the created count first reached the target; 0 if not yet.</summary>
    public long AllCreatedTimestamp => Volatile.Read(ref _allCreatedAt);

    /// <summary>When the bound count first reached the target; 0 if not yet.</summary>
    public long AllBoundTimestamp => Volatile.Read(ref _allBoundAt);

    /// <summary>
    /// When the n-th pod (in the order seen, from 0) was first seen, for the first target pods; 0 where not yet. Read
    /// it once the run is over.
    /// </summary>
    public ReadOnlySpan<long> CreatedTimestamps => _createdAt;

    /// <summary>Starts the watch and returns once the server has answered it (so later creates are all seen).</summary>
    public static async Task<DeploymentPodWatch> StartAsync(HttpClient http, string ns, int target, CancellationToken ct)
    {
        var watch = new DeploymentPodWatch(http, ns, target, ct);
        watch._loop = Task.Run(() => watch.RunAsync(watch._stop.Token), CancellationToken.None);
        await Task.WhenAny(watch._established.Task, watch._loop).WaitAsync(TimeSpan.FromSeconds(30), ct).ConfigureAwait(false);
        if (watch._loop.IsFaulted)
        {
            await watch._loop.ConfigureAwait(false);
        }

        return watch;
    }

    /// <summary>Waits until the target number of pods is bound; false if <paramref name="timeout"/> passes first.</summary>
    public async Task<bool> WaitAllBoundAsync(TimeSpan timeout, CancellationToken ct)
    {
        try
        {
            await Task.WhenAny(_allBound.Task, _loop).WaitAsync(timeout, ct).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return false;
        }

        if (!_allBound.Task.IsCompleted)
        {
            // The watch died: surface why.
            await _loop.ConfigureAwait(false);
            throw new InvalidOperationException("the pod watch ended");
        }

        return true;
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

    private Task RunAsync(CancellationToken ct) => WatchStream.RunAsync(_http, $"/api/v1/namespaces/{_namespace}/pods?watch=1", Observe, _established, ct);

    /// <summary>Records one watch event.</summary>
    private void Observe(string type, JsonElement obj)
    {
        var now = Stopwatch.GetTimestamp();
        var metadata = obj.GetProperty("metadata");
        if (type == "BOOKMARK" || metadata.GetProperty("name").GetString() is not { } name)
        {
            return;
        }

        var known = _boundByName.TryGetValue(name, out var wasBound);
        if (type == "DELETED")
        {
            if (known)
            {
                _boundByName.Remove(name);
                Volatile.Write(ref _present, _present - 1);
                if (wasBound)
                {
                    Volatile.Write(ref _bound, _bound - 1);
                }
            }

            return;
        }

        var bound = obj.TryGetProperty("spec", out var spec)
            && spec.TryGetProperty("nodeName", out var nodeName) && !string.IsNullOrEmpty(nodeName.GetString());
        if (!known)
        {
            if (_created == 0)
            {
                Volatile.Write(ref _firstCreated, now);
            }

            if (_created < _createdAt.Length)
            {
                _createdAt[_created] = now;
            }

            Volatile.Write(ref _created, _created + 1);
            Volatile.Write(ref _present, _present + 1);
            if (_created == _target)
            {
                Volatile.Write(ref _allCreatedAt, now);
            }
        }

        _boundByName[name] = bound;
        if (bound && !wasBound)
        {
            Volatile.Write(ref _bound, _bound + 1);
            if (_bound == _target && _allBoundAt == 0)
            {
                Volatile.Write(ref _allBoundAt, now);
                _allBound.TrySetResult();
            }
        }
    }
}
