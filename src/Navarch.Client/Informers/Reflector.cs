using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Navarch.Client.Informers;

/// <summary>
/// Keeps a sink in step with one collection on the API server, as client-go's <c>Reflector</c>: list (paged, 500 at
/// a time), then watch from the list's resourceVersion with bookmarks; when a watch ends or breaks, resume from the
/// last resourceVersion seen; when the server says that version has expired (410), list again and replace.
/// </summary>
internal sealed class Reflector<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    /// <summary>client-go's page size for informer lists.</summary>
    public const int PageSize = 500;

    private static readonly TimeSpan MinWatchTimeout = TimeSpan.FromMinutes(5);

    private readonly Kubernetes _client;
    private readonly ResourcePath _resource;
    private readonly string _collection;
    private readonly string _selectors;
    private readonly IReflectorSink<T> _sink;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly Backoff _backoff;
    private long _lists;
    private long _watches;
    private long _expirations;

    public Reflector(IKubernetes client, InformerOptions options, IReflectorSink<T> sink, ILogger logger, TimeProvider time, Random random)
    {
        _client = client as Kubernetes
            ?? throw new ArgumentException("Informers need a k8s.Kubernetes client (they stream over its HttpClient).", nameof(client));
        _resource = ResourcePath.For<T>();
        _collection = _resource.Collection(_client.BaseUri, options.Namespace);
        _selectors = Selectors(options);
        _sink = sink;
        _logger = logger;
        _time = time;
        _random = random;
        _backoff = new Backoff(time, random);
    }

    /// <summary>The resourceVersion of the last list, event or bookmark applied.</summary>
    public string LastSyncResourceVersion { get; private set; } = string.Empty;

    /// <summary>How many complete lists were made (the first and every relist).</summary>
    public long Lists => Interlocked.Read(ref _lists);

    /// <summary>How many watch requests were made.</summary>
    public long Watches => Interlocked.Read(ref _watches);

    /// <summary>How many times the server said the watched resourceVersion had expired.</summary>
    public long Expirations => Interlocked.Read(ref _expirations);

    public string Resource => _resource.Display;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await ListAsync(cancellationToken).ConfigureAwait(false);
                _backoff.Reset();
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                InformerLog.ListFailed(_logger, Resource, e.Message);
                await _backoff.WaitAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            await WatchUntilExpiredAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Watches, resuming after every close or failure, until the resourceVersion expires.</summary>
    private async Task WatchUntilExpiredAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var started = _time.GetTimestamp();
            bool expired;
            int events;
            try
            {
                (expired, events) = await WatchOnceAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                InformerLog.WatchFailed(_logger, Resource, LastSyncResourceVersion, e.Message);
                await _backoff.WaitAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (expired)
            {
                Interlocked.Increment(ref _expirations);
                InformerLog.WatchExpired(_logger, Resource, LastSyncResourceVersion);
                return;
            }

            if (events > 0)
            {
                _backoff.Reset();
            }
            else if (_time.GetElapsedTime(started) < TimeSpan.FromSeconds(1))
            {
                // A server that closes watches at once must not turn this loop into a hot one.
                await _backoff.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task ListAsync(CancellationToken cancellationToken)
    {
        var items = new List<T>();
        string? continueToken = null;
        var resourceVersion = string.Empty;
        do
        {
            // No resourceVersion: a consistent read, paged as client-go's pager does; continue tokens pin the snapshot.
            var url = new StringBuilder(_collection).Append("?limit=").Append(PageSize);
            if (continueToken is not null)
            {
                url.Append("&continue=").Append(Uri.EscapeDataString(continueToken));
            }

            url.Append(_selectors);
            using var response = await SendAsync(url.ToString(), TimeSpan.FromMinutes(1), cancellationToken).ConfigureAwait(false);
            await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                var page = await JsonSerializer.DeserializeAsync<ObjectList<T>>(stream, KubeJson.Options, cancellationToken).ConfigureAwait(false)
                    ?? throw new JsonException("The list response was empty.");
                if (page.Items is { } pageItems)
                {
                    foreach (var item in pageItems)
                    {
                        FillTypeMeta(item);
                        items.Add(item);
                    }
                }

                continueToken = page.Metadata?.ContinueProperty is { Length: > 0 } next ? next : null;
                resourceVersion = page.Metadata?.ResourceVersion ?? string.Empty;
            }
        }
        while (continueToken is not null);

        _sink.Replace(items);
        LastSyncResourceVersion = resourceVersion;
        Interlocked.Increment(ref _lists);
        InformerLog.Listed(_logger, Resource, items.Count, resourceVersion);
    }

    /// <summary>One watch request; returns whether it ended because the resourceVersion expired, and how many events it applied.</summary>
    private async Task<(bool Expired, int Events)> WatchOnceAsync(CancellationToken cancellationToken)
    {
        // As client-go, a random server-side timeout spreads reconnects of many clients over time.
        var timeout = MinWatchTimeout + TimeSpan.FromSeconds(_random.Next((int)MinWatchTimeout.TotalSeconds));
        var url = string.Concat(
            _collection,
            "?watch=true&allowWatchBookmarks=true&resourceVersion=",
            Uri.EscapeDataString(LastSyncResourceVersion),
            "&timeoutSeconds=",
            ((int)timeout.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
            _selectors);

        // The client-side deadline only catches a connection that died silently; the server ends the watch first.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout + TimeSpan.FromSeconds(30));
        Interlocked.Increment(ref _watches);
        using var response = await SendAsync(url, Timeout.InfiniteTimeSpan, deadline.Token).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Gone)
        {
            return (true, 0);
        }

        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        var stream = await response.Content.ReadAsStreamAsync(deadline.Token).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, leaveOpen: true));
            try
            {
                return await ReadEventsAsync(reader, deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new IOException("The watch stream went silent past its timeout.");
            }
            finally
            {
                await reader.CompleteAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task<(bool Expired, int Events)> ReadEventsAsync(PipeReader reader, CancellationToken cancellationToken)
    {
        var events = 0;
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            try
            {
                while (TryReadLine(ref buffer, out var line))
                {
                    if (IsBlank(line))
                    {
                        continue;
                    }

                    if (!Apply(WatchFrame<T>.Parse(line)))
                    {
                        return (true, events);
                    }

                    events++;
                }
            }
            finally
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
            }

            if (result.IsCompleted)
            {
                if (!IsBlank(buffer))
                {
                    throw new IOException("The watch stream ended in the middle of an event.");
                }

                InformerLog.WatchClosed(_logger, Resource, LastSyncResourceVersion, events);
                return (false, events);
            }
        }
    }

    /// <summary>Applies one frame; false when it says the resourceVersion expired.</summary>
    private bool Apply(WatchFrame<T> frame)
    {
        if (frame.Type == "ERROR")
        {
            var status = frame.Status;
            if (status?.Code == (int)HttpStatusCode.Gone)
            {
                return false;
            }

            throw new ApiStatusException((HttpStatusCode)(status?.Code ?? 500), status?.Message ?? "watch error without a status");
        }

        var obj = frame.Object ?? throw new JsonException($"A {frame.Type} watch event has no object.");
        var resourceVersion = obj.Metadata?.ResourceVersion;
        switch (frame.Type)
        {
            case "ADDED":
                FillTypeMeta(obj);
                _sink.Add(obj);
                break;
            case "MODIFIED":
                FillTypeMeta(obj);
                _sink.Update(obj);
                break;
            case "DELETED":
                FillTypeMeta(obj);
                _sink.Delete(obj);
                break;
            case "BOOKMARK":
                break;
            default:
                throw new JsonException($"Unknown watch event type {frame.Type}.");
        }

        if (!string.IsNullOrEmpty(resourceVersion))
        {
            LastSyncResourceVersion = resourceVersion;
        }

        return true;
    }

    private async Task<HttpResponseMessage> SendAsync(string url, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var http = _client.HttpClient;
        using var request = new HttpRequestMessage(HttpMethod.Get, url)
        {
            Version = http.DefaultRequestVersion,
            VersionPolicy = http.DefaultVersionPolicy,
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (_client.Credentials is { } credentials)
        {
            await credentials.ProcessHttpRequestAsync(request, cancellationToken).ConfigureAwait(false);
        }

        if (timeout == Timeout.InfiniteTimeSpan)
        {
            return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }

        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(timeout);
        try
        {
            return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, bounded.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"GET {url} timed out after {timeout}.");
        }
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        string message = body;
        try
        {
            message = KubernetesJson.Deserialize<V1Status>(body)?.Message ?? body;
        }
        catch (JsonException)
        {
            // Not a Status: report the body as it is.
        }

        throw new ApiStatusException(response.StatusCode, $"{(int)response.StatusCode} {response.StatusCode}: {message}");
    }

    private void FillTypeMeta(T obj)
    {
        // List items carry no kind/apiVersion on the wire; handlers and listers see complete objects either way.
        if (string.IsNullOrEmpty(obj.Kind))
        {
            obj.Kind = _resource.Kind;
        }

        if (string.IsNullOrEmpty(obj.ApiVersion))
        {
            obj.ApiVersion = _resource.Group.Length == 0 ? _resource.Version : _resource.Group + "/" + _resource.Version;
        }
    }

    private static bool TryReadLine(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> line)
    {
        var newline = buffer.PositionOf((byte)'\n');
        if (newline is null)
        {
            line = default;
            return false;
        }

        line = buffer.Slice(0, newline.Value);
        buffer = buffer.Slice(buffer.GetPosition(1, newline.Value));
        return true;
    }

    private static bool IsBlank(ReadOnlySequence<byte> bytes)
    {
        foreach (var segment in bytes)
        {
            if (segment.Span.IndexOfAnyExcept(" \r\t"u8) >= 0)
            {
                return false;
            }
        }

        return true;
    }

    private static string Selectors(InformerOptions options)
    {
        var builder = new StringBuilder();
        if (!string.IsNullOrEmpty(options.LabelSelector))
        {
            builder.Append("&labelSelector=").Append(Uri.EscapeDataString(options.LabelSelector));
        }

        if (!string.IsNullOrEmpty(options.FieldSelector))
        {
            builder.Append("&fieldSelector=").Append(Uri.EscapeDataString(options.FieldSelector));
        }

        return builder.ToString();
    }
}
