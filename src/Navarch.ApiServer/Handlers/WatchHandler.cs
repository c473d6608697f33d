using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Navarch.ApiServer.Errors;
using Navarch.ApiServer.Objects;
using Navarch.ApiServer.Printing;
using Navarch.ApiServer.Registry;
using Navarch.ApiServer.Serialization;
using Navarch.ApiServer.Watch;

namespace Navarch.ApiServer.Handlers;

/// <summary>
/// Streams watch events from the watch cache as kube-apiserver does: newline-delimited
/// <c>{"type":...,"object":...}</c> frames, selector-aware ADDED/MODIFIED/DELETED, bookmarks, and a timeout.
/// </summary>
public sealed class WatchHandler(WatchCacheSet caches, TimeProvider time, IHostApplicationLifetime lifetime)
{
    private static readonly TimeSpan CacheWait = TimeSpan.FromSeconds(3);
    private static readonly JsonWriterOptions WriterOptions = new() { SkipValidation = true };

    /// <summary>How often an idle watch that asked for bookmarks gets one.</summary>
    public TimeSpan BookmarkInterval { get; init; } = TimeSpan.FromSeconds(30);

    public async Task WatchAsync(HttpContext context, RequestInfo info, ListOptions options)
    {
        var definition = info.Definition;
        var filter = ObjectFilter.Create(definition, options);
        var format = ContentNegotiation.Negotiate(context.Request.Headers.Accept);
        var rv = ObjectCodec.ParseResourceVersion(options.ResourceVersion);
        var cache = caches[definition];
        if (rv > 0)
        {
            await cache.WaitForRevisionAsync(rv, CacheWait, context.RequestAborted).ConfigureAwait(false);
        }

        using var watcher = cache.Watch(rv);
        var timeout = TimeSpan.FromSeconds(options.TimeoutSeconds ?? 1800 + Random.Shared.Next(1800));
        // A stopping server ends its watches (clients resume elsewhere or after the restart) instead of holding the
        // shutdown until every watcher hangs up, as kube-apiserver closes them on shutdown.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        deadline.CancelAfter(timeout);

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-cache, private";
        await context.Response.StartAsync(deadline.Token).ConfigureAwait(false);

        var frame = new FrameWriter(context.Response, definition, format, filter, ResponseWriter.IncludeObject(context), time);
        var prefix = definition.Prefix(info.Namespace);
        var lastRevision = rv;
        try
        {
            foreach (var e in watcher.Initial)
            {
                if (e.Object.Key.StartsWith(prefix, StringComparison.Ordinal))
                {
                    frame.Add(e);
                }

                lastRevision = Math.Max(lastRevision, e.Revision);
            }

            if (rv == 0)
            {
                lastRevision = Math.Max(lastRevision, cache.Revision);
            }

            if (options.SendInitialEvents == true && options.AllowWatchBookmarks)
            {
                frame.AddBookmark(lastRevision, initialEventsEnd: true);
            }

            await frame.FlushAsync(deadline.Token).ConfigureAwait(false);
            await StreamLiveAsync(watcher.Events, frame, prefix, options.AllowWatchBookmarks, lastRevision, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            // Timeout or client gone: a watch simply ends.
        }
        catch (WatcherTooSlowException)
        {
            await frame.WriteErrorAsync(ApiException.Expired("watch closed: the client fell too far behind"), CancellationToken.None)
                .ConfigureAwait(false);
        }
        catch (ApiException e)
        {
            await frame.WriteErrorAsync(e, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private async Task StreamLiveAsync(
        ChannelReader<CacheEvent> events, FrameWriter frame, string prefix, bool bookmarks, long lastRevision, CancellationToken cancellationToken)
    {
        var lastSent = time.GetUtcNow();
        while (true)
        {
            bool ready;
            if (bookmarks)
            {
                using var tick = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                tick.CancelAfter(BookmarkInterval);
                try
                {
                    ready = await events.WaitToReadAsync(tick.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    frame.AddBookmark(lastRevision, initialEventsEnd: false);
                    await frame.FlushAsync(cancellationToken).ConfigureAwait(false);
                    continue;
                }
            }
            else
            {
                ready = await events.WaitToReadAsync(cancellationToken).ConfigureAwait(false);
            }

            if (!ready)
            {
                await events.Completion.ConfigureAwait(false);
                return;
            }

            while (events.TryRead(out var e))
            {
                if (e.Object.Key.StartsWith(prefix, StringComparison.Ordinal))
                {
                    frame.Add(e);
                }

                lastRevision = e.Revision;
            }

            await frame.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (bookmarks && time.GetUtcNow() - lastSent > BookmarkInterval)
            {
                frame.AddBookmark(lastRevision, initialEventsEnd: false);
                await frame.FlushAsync(cancellationToken).ConfigureAwait(false);
                lastSent = time.GetUtcNow();
            }
        }
    }

    /// <summary>Buffers frames and writes them in one go per batch of events.</summary>
    private sealed class FrameWriter(
        HttpResponse response, ResourceDefinition definition, ResponseFormat format, ObjectFilter filter, IncludeObjectPolicy include, TimeProvider time)
    {
        private readonly ArrayBufferWriter<byte> _buffer = new(8192);
        private bool _tableHeaderSent;

        public void Add(CacheEvent e)
        {
            var type = e.Type switch
            {
                CacheEventType.Added => filter.Matches(e.Object) ? "ADDED" : null,
                CacheEventType.Deleted => filter.Matches(e.Previous ?? e.Object) ? "DELETED" : null,
                _ => (filter.Matches(e.Object), e.Previous is not null && filter.Matches(e.Previous)) switch
                {
                    (true, true) => "MODIFIED",
                    (true, false) => "ADDED",
                    (false, true) => "DELETED",
                    _ => null,
                },
            };
            if (type is null)
            {
                return;
            }

            using var writer = new Utf8JsonWriter(_buffer, WriterOptions);
            writer.WriteStartObject();
            writer.WriteString("type", type);
            writer.WritePropertyName("object");
            switch (format)
            {
                case ResponseFormat.Table:
                    var obj = ObjectCodec.Decode(definition, e.Object.Json, e.Object.Revision);
                    TableWriter.Write(writer, definition.Table, [obj], new TableListMeta(obj.Metadata.ResourceVersion, null, null), include,
                        time.GetUtcNow(), includeColumnDefinitions: !_tableHeaderSent);
                    _tableHeaderSent = true;
                    break;
                case ResponseFormat.PartialObjectMetadata:
                    ResponseWriter.WritePartial(writer, ObjectCodec.Decode(definition, e.Object.Json, e.Object.Revision));
                    break;
                default:
                    writer.WriteRawValue(e.Object.Json, skipInputValidation: true);
                    break;
            }

            writer.WriteEndObject();
            writer.Flush();
            _buffer.Write("\n"u8);
        }

        public void AddBookmark(long revision, bool initialEventsEnd)
        {
            using var writer = new Utf8JsonWriter(_buffer, WriterOptions);
            writer.WriteStartObject();
            writer.WriteString("type", "BOOKMARK");
            writer.WritePropertyName("object");
            writer.WriteStartObject();
            writer.WriteString("kind", definition.Kind);
            writer.WriteString("apiVersion", definition.GroupVersion);
            writer.WritePropertyName("metadata");
            writer.WriteStartObject();
            writer.WriteString("resourceVersion", revision.ToString(CultureInfo.InvariantCulture));
            if (initialEventsEnd)
            {
                writer.WritePropertyName("annotations");
                writer.WriteStartObject();
                writer.WriteString("k8s.io/initial-events-end", "true");
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.Flush();
            _buffer.Write("\n"u8);
        }

        public async Task FlushAsync(CancellationToken cancellationToken)
        {
            if (_buffer.WrittenCount > 0)
            {
                await response.Body.WriteAsync(_buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
                _buffer.ResetWrittenCount();
            }

            await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        public async Task WriteErrorAsync(ApiException error, CancellationToken cancellationToken)
        {
            using (var writer = new Utf8JsonWriter(_buffer, WriterOptions))
            {
                writer.WriteStartObject();
                writer.WriteString("type", "ERROR");
                writer.WritePropertyName("object");
                StatusJson.WriteFailure(writer, error);
                writer.WriteEndObject();
            }

            _buffer.Write("\n"u8);
            try
            {
                await FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
            {
                // The client is gone; nothing left to tell it.
            }
        }
    }
}
