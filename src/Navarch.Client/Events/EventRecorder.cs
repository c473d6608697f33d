using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Navarch.Client.Events;

/// <summary>
/// Writes core/v1 Events through the API, as client-go's event broadcaster with its <c>EventCorrelator</c>:
/// <list type="bullet">
/// <item>callers never wait: events go through a bounded queue of 1000 (client-go's <c>maxQueuedEvents</c>) and are
/// dropped with a log line when it is full;</item>
/// <item>the event lives in the object's namespace ("default" for cluster-scoped objects) and is named
/// <c>&lt;object name&gt;.&lt;16 hex digits&gt;</c> from the time in nanoseconds;</item>
/// <item>a repeat of the same (object, type, reason, message, source) within 10 minutes of its last occurrence patches
/// the existing Event's count and lastTimestamp instead of creating another, as client-go's <c>eventLogger</c>.</item>
/// </list>
/// Call <see cref="StartAsync"/> to begin writing; <see cref="DisposeAsync"/> writes what is queued (for up to
/// <see cref="FlushTimeout"/>) and stops.
/// </summary>
public sealed partial class EventRecorder : IEventRecorder, IAsyncDisposable
{
    /// <summary>client-go's <c>maxQueuedEvents</c>.</summary>
    private long _dropped;

    public const int MaxQueuedEvents = 1000;

    /// <summary>How long a repeat may follow the previous occurrence and still be counted on the same Event.</summary>
    public static readonly TimeSpan AggregationWindow = TimeSpan.FromMinutes(10);

    /// <summary>How long <see cref="DisposeAsync"/> keeps writing queued events before it gives up on the rest.</summary>
    public static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(10);

    private const int MaxAttempts = 3;
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    private readonly IKubernetes _client;
    private readonly string _component;
    private readonly string? _host;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly Channel<PendingEvent> _channel = Channel.CreateBounded<PendingEvent>(
        new BoundedChannelOptions(MaxQueuedEvents) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    private readonly EventCache _cache = new(4096);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _lock = new();
    private Task? _loop;
    private long _lastSuffix;

    public EventRecorder(IKubernetes client, string component, string? host, ILoggerFactory loggerFactory, TimeProvider timeProvider)
    {
        ArgumentException.ThrowIfNullOrEmpty(component);
        _client = client;
        _component = component;
        _host = string.IsNullOrEmpty(host) ? null : host;
        _logger = loggerFactory.CreateLogger<EventRecorder>();
        _timeProvider = timeProvider;
    }

    /// <summary>Starts writing queued events in the background. Events recorded before this wait in the queue.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
            _loop ??= Task.Run(() => WriteLoopAsync(_stopping.Token), CancellationToken.None);
        }

        return Task.CompletedTask;
    }

    public void Event(IKubernetesObject<V1ObjectMeta> regarding, string type, string reason, string message) =>
        Record(ReferenceTo(regarding), type, reason, message);

    public void Event(IKubernetesObject<V1ObjectMeta> regarding, string fieldPath, string type, string reason, string message)
    {
        var involved = ReferenceTo(regarding);
        involved.FieldPath = string.IsNullOrEmpty(fieldPath) ? null : fieldPath;
        Record(involved, type, reason, message);
    }

    private void Record(V1ObjectReference involved, string type, string reason, string message)
    {
        if (type is not (EventTypes.Normal or EventTypes.Warning))
        {
            // As client-go: an unknown type is a programming error, reported and dropped rather than thrown.
            LogUnsupportedType(type, reason);
            return;
        }

        var pending = new PendingEvent(involved, type, reason, message, _timeProvider.GetUtcNow());
        if (!_channel.Writer.TryWrite(pending))
        {
            // A burst can drop thousands; log the 1st, 2nd, 4th, 8th... so the log says so without flooding.
            var dropped = Interlocked.Increment(ref _dropped);
            if ((dropped & (dropped - 1)) == 0)
            {
                LogDropped(involved.NamespaceProperty ?? string.Empty, involved.Name ?? string.Empty, reason, dropped);
            }
        }
    }

    public void Eventf(IKubernetesObject<V1ObjectMeta> regarding, string type, string reason, [StringSyntax(StringSyntaxAttribute.CompositeFormat)] string messageFormat, params object?[] args) =>
        Event(regarding, type, reason, string.Format(CultureInfo.InvariantCulture, messageFormat, args));

    public async ValueTask DisposeAsync()
    {
        Task? loop;
        lock (_lock)
        {
            _channel.Writer.TryComplete();
            loop = _loop;
        }

        if (loop is not null)
        {
            // Let the loop drain the queue; after the flush timeout, cancel whatever request is still in flight.
            try
            {
                await loop.WaitAsync(FlushTimeout, _timeProvider).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
            }
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        if (loop is not null)
        {
            await loop.ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    private async Task WriteLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var pending in _channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                await WriteAsync(pending, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            var left = _channel.Reader.Count;
            if (left > 0)
            {
                LogUnflushed(left);
            }
        }
    }

    private async Task WriteAsync(PendingEvent pending, CancellationToken cancellationToken)
    {
        var key = KeyOf(pending);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (_cache.TryGet(key, out var previous) && pending.Timestamp - previous.LastTimestamp < AggregationWindow)
                {
                    if (await TryPatchAsync(key, previous, pending, cancellationToken).ConfigureAwait(false))
                    {
                        return;
                    }
                }

                await CreateAsync(key, pending, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (HttpOperationException e) when (attempt < MaxAttempts && IsRetriable(e.Response.StatusCode))
            {
                LogRetrying(e, pending.Reason, attempt);
            }
            catch (HttpRequestException e) when (attempt < MaxAttempts)
            {
                LogRetrying(e, pending.Reason, attempt);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogWriteFailed(e, pending.InvolvedObject.NamespaceProperty ?? string.Empty, pending.InvolvedObject.Name ?? string.Empty, pending.Reason);
                return;
            }

            await Task.Delay(RetryDelay, _timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Bumps the count of the Event already written for this key; false when that Event is gone.</summary>
    private async Task<bool> TryPatchAsync(string key, CachedEvent previous, PendingEvent pending, CancellationToken cancellationToken)
    {
        var count = previous.Count + 1;
        var patch = new JsonObject
        {
            ["count"] = count,
            ["lastTimestamp"] = FormatTime(pending.Timestamp),
            ["message"] = pending.Message,
        };
        try
        {
            await _client.CoreV1.PatchNamespacedEventAsync(
                new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch),
                previous.Name,
                previous.Namespace,
                cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            // The Event expired (events have a TTL) or was deleted: start a new one.
            _cache.Remove(key);
            return false;
        }

        _cache.Set(key, previous with { Count = count, LastTimestamp = pending.Timestamp });
        return true;
    }

    private async Task CreateAsync(string key, PendingEvent pending, CancellationToken cancellationToken)
    {
        var involved = pending.InvolvedObject;
        var ns = string.IsNullOrEmpty(involved.NamespaceProperty) ? "default" : involved.NamespaceProperty;
        var name = $"{involved.Name}.{NextSuffix(pending.Timestamp):x16}";
        var time = TruncateToSeconds(pending.Timestamp);
        var ev = new Corev1Event
        {
            ApiVersion = "v1",
            Kind = "Event",
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
            InvolvedObject = involved,
            Reason = pending.Reason,
            Message = pending.Message,
            Type = pending.Type,
            Source = new V1EventSource { Component = _component, Host = _host },
            ReportingComponent = _component,
            ReportingInstance = _host,
            FirstTimestamp = time,
            LastTimestamp = time,
            Count = 1,
        };
        await _client.CoreV1.CreateNamespacedEventAsync(ev, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
        _cache.Set(key, new CachedEvent(name, ns, 1, pending.Timestamp));
    }

    // client-go names events by the time in nanoseconds; bumping past the last one keeps two events in one tick apart.
    private long NextSuffix(DateTimeOffset timestamp)
    {
        var nanos = (timestamp.UtcTicks - DateTime.UnixEpoch.Ticks) * 100;
        _lastSuffix = Math.Max(nanos, _lastSuffix + 1);
        return _lastSuffix;
    }

    private string KeyOf(PendingEvent pending)
    {
        var o = pending.InvolvedObject;
        return string.Join('\u0000', _component, _host, o.Kind, o.NamespaceProperty, o.Name, o.FieldPath, o.Uid, o.ApiVersion, pending.Type, pending.Reason, pending.Message);
    }

    private static V1ObjectReference ReferenceTo(IKubernetesObject<V1ObjectMeta> regarding)
    {
        var kind = regarding.Kind;
        var apiVersion = regarding.ApiVersion;
        if (string.IsNullOrEmpty(kind) || string.IsNullOrEmpty(apiVersion))
        {
            // Objects built in code often leave apiVersion/kind empty; the model type knows them.
            var entity = regarding.GetType().GetCustomAttribute<KubernetesEntityAttribute>();
            if (entity is not null)
            {
                kind = string.IsNullOrEmpty(kind) ? entity.Kind : kind;
                apiVersion = string.IsNullOrEmpty(apiVersion)
                    ? string.IsNullOrEmpty(entity.Group) ? entity.ApiVersion : $"{entity.Group}/{entity.ApiVersion}"
                    : apiVersion;
            }
        }

        var meta = regarding.Metadata;
        return new V1ObjectReference
        {
            Kind = kind,
            ApiVersion = apiVersion,
            Name = meta?.Name,
            NamespaceProperty = string.IsNullOrEmpty(meta?.NamespaceProperty) ? null : meta.NamespaceProperty,
            Uid = meta?.Uid,
            ResourceVersion = meta?.ResourceVersion,
        };
    }

    private static bool IsRetriable(HttpStatusCode code) =>
        code is HttpStatusCode.TooManyRequests or HttpStatusCode.Conflict || (int)code >= 500;

    private static DateTime TruncateToSeconds(DateTimeOffset time)
    {
        var utc = time.UtcDateTime;
        return new DateTime(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
    }

    private static string FormatTime(DateTimeOffset time) =>
        TruncateToSeconds(time).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unsupported event type: '{Type}' (reason {Reason}); the event is dropped")]
    private partial void LogUnsupportedType(string type, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event queue is full; dropping event {Reason} about {Namespace}/{Name} ({Dropped} dropped so far)")]
    private partial void LogDropped(string @namespace, string name, string reason, long dropped);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Writing event {Reason} failed (attempt {Attempt}); retrying")]
    private partial void LogRetrying(Exception exception, string reason, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not write event {Reason} about {Namespace}/{Name}; dropping it")]
    private partial void LogWriteFailed(Exception exception, string @namespace, string name, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event recorder stopped with {Count} events not written")]
    private partial void LogUnflushed(int count);
}
