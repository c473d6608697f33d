using System.Runtime.CompilerServices;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.Client.Balancer;
using Grpc.Net.Client.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using EtcdRpc = Etcdserverpb;

namespace Navarch.Storage.Etcd;

/// <summary>
/// <see cref="IKeyValueStore"/> over an etcd v3 cluster, spoken to through etcd's gRPC API. Every operation is a
/// single etcd request, so the store keeps no state of its own beyond the last compaction revision it has seen.
/// </summary>
/// <remarks>
/// Conditional writes are etcd transactions exactly as kube-apiserver's etcd3 store issues them, so the keys this
/// store writes are layout-compatible with a Kubernetes cluster's etcd.
/// </remarks>
public sealed class EtcdStore : IKeyValueStore
{
    private const string CompactedMessage = "required revision has been compacted";
    private const string FutureRevisionMessage = "required revision is a future revision";

    private static readonly TimeSpan InitialWatchBackoff = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan MaxWatchBackoff = TimeSpan.FromSeconds(2);

    private readonly GrpcChannel _channel;
    private readonly KV.KVClient _kv;
    private readonly Watch.WatchClient _watch;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _disposed = new();

    // The highest compaction revision seen so far, from our own compactions and from watches. etcd does not
    // report it directly, so GetCompactRevisionAsync starts its search here.
    private long _compactRevision;

    private EtcdStore(GrpcChannel channel, ILogger logger)
    {
        _channel = channel;
        _kv = new KV.KVClient(channel);
        _watch = new Watch.WatchClient(channel);
        _logger = logger;
    }

    /// <summary>Connects to etcd and checks that it answers.</summary>
    /// <param name="endpoints">Client URLs such as <c>http://127.0.0.1:2379</c>, all with the same scheme.
    /// Several endpoints are balanced round-robin.</param>
    /// <param name="logger">Where to log reconnects and compactions.</param>
    /// <param name="ct">Cancels the first request.</param>
    public static async Task<EtcdStore> ConnectAsync(IReadOnlyList<string> endpoints, ILogger? logger = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var store = new EtcdStore(CreateChannel(endpoints), logger ?? NullLogger.Instance);
        try
        {
            var revision = await store.GetCurrentRevisionAsync(ct).ConfigureAwait(false);
            EtcdStoreLog.Connected(store._logger, string.Join(',', endpoints), revision);
            return store;
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async Task<long> GetCurrentRevisionAsync(CancellationToken cancellationToken = default)
    {
        // A linearizable count-only read of one key: the cheapest request whose header carries the revision.
        var response = await _kv.RangeAsync(
            new EtcdRpc.RangeRequest { Key = EtcdKeys.Zero, CountOnly = true }, cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.Header.Revision;
    }

    public async Task<KeyValue?> GetAsync(string key, long revision = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        var request = new EtcdRpc.RangeRequest { Key = EtcdKeys.Encode(key), Revision = revision };
        var response = await ReadAsync(request, cancellationToken).ConfigureAwait(false);
        return response.Kvs.Count == 0 ? null : ToKeyValue(response.Kvs[0]);
    }

    public async Task<RangeResult> RangeAsync(Storage.RangeRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfNegative(request.Limit);
        var start = EtcdKeys.PrefixStart(request.Prefix);
        if (request.StartAfter is not null)
        {
            start = EtcdKeys.Max(start, EtcdKeys.Successor(request.StartAfter));
        }

        var response = await ReadAsync(
            new EtcdRpc.RangeRequest
            {
                Key = start,
                RangeEnd = EtcdKeys.PrefixEnd(request.Prefix),
                Limit = request.Limit,
                Revision = request.Revision,
            },
            cancellationToken).ConfigureAwait(false);

        var items = new KeyValue[response.Kvs.Count];
        for (var i = 0; i < items.Length; i++)
        {
            items[i] = ToKeyValue(response.Kvs[i]);
        }

        // etcd's count is every key in [start, end) regardless of the limit, so what follows the page is the rest.
        var remaining = response.More ? response.Count - items.Length : 0;
        var revision = request.Revision != 0 ? request.Revision : response.Header.Revision;
        return new RangeResult(items, revision, response.More, remaining);
    }

    public async Task<long> CountAsync(string prefix, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var response = await _kv.RangeAsync(
            new EtcdRpc.RangeRequest { Key = EtcdKeys.PrefixStart(prefix), RangeEnd = EtcdKeys.PrefixEnd(prefix), CountOnly = true },
            cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.Count;
    }

    public async Task<WriteResult> CreateAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        var encodedKey = EtcdKeys.Encode(key);
        var txn = new TxnRequest();
        txn.Compare.Add(new Compare
        {
            Key = encodedKey,
            Target = Compare.Types.CompareTarget.Create,
            Result = Compare.Types.CompareResult.Equal,
            CreateRevision = 0,
        });
        // The value is only read while the request is serialized, so it need not be copied into the request.
        txn.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = encodedKey, Value = UnsafeByteOperations.UnsafeWrap(value) } });
        txn.Failure.Add(new RequestOp { RequestRange = new EtcdRpc.RangeRequest { Key = encodedKey } });

        var response = await _kv.TxnAsync(txn, cancellationToken: cancellationToken).ConfigureAwait(false);
        var revision = response.Header.Revision;
        return response.Succeeded
            ? new WriteResult(true, new KeyValue(key, value.ToArray(), revision, revision, 1), revision)
            : new WriteResult(false, FirstKeyValue(response.Responses[0].ResponseRange), revision);
    }

    public async Task<WriteResult> UpdateAsync(
        string key, ReadOnlyMemory<byte> value, long expectedModRevision, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        var encodedKey = EtcdKeys.Encode(key);
        var txn = new TxnRequest();
        txn.Compare.Add(ModRevisionIs(encodedKey, expectedModRevision));
        if (expectedModRevision <= 0)
        {
            // mod_revision = 0 also matches an absent key, which must not be created here.
            txn.Compare.Add(Exists(encodedKey));
        }

        txn.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = encodedKey, Value = UnsafeByteOperations.UnsafeWrap(value) } });
        // Read back the key's revisions without its value, which we already have.
        txn.Success.Add(new RequestOp { RequestRange = new EtcdRpc.RangeRequest { Key = encodedKey, KeysOnly = true } });
        txn.Failure.Add(new RequestOp { RequestRange = new EtcdRpc.RangeRequest { Key = encodedKey } });

        var response = await _kv.TxnAsync(txn, cancellationToken: cancellationToken).ConfigureAwait(false);
        var revision = response.Header.Revision;
        if (!response.Succeeded)
        {
            return new WriteResult(false, FirstKeyValue(response.Responses[0].ResponseRange), revision);
        }

        var written = response.Responses[1].ResponseRange.Kvs[0];
        return new WriteResult(true, new KeyValue(key, value.ToArray(), written.CreateRevision, written.ModRevision, written.Version), revision);
    }

    public async Task<WriteResult> DeleteAsync(string key, long expectedModRevision = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        var encodedKey = EtcdKeys.Encode(key);
        var txn = new TxnRequest();
        txn.Compare.Add(expectedModRevision == 0 ? Exists(encodedKey) : ModRevisionIs(encodedKey, expectedModRevision));
        txn.Success.Add(new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = encodedKey } });
        txn.Failure.Add(new RequestOp { RequestRange = new EtcdRpc.RangeRequest { Key = encodedKey } });

        var response = await _kv.TxnAsync(txn, cancellationToken: cancellationToken).ConfigureAwait(false);
        var revision = response.Header.Revision;
        return response.Succeeded
            ? new WriteResult(true, null, revision)
            : new WriteResult(false, FirstKeyValue(response.Responses[0].ResponseRange), revision);
    }

    public async IAsyncEnumerable<WatchEvent> WatchAsync(
        string prefix, long afterRevision, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token);
        var ct = linked.Token;
        var next = afterRevision + 1;
        var backoff = InitialWatchBackoff;
        var create = new WatchRequest
        {
            CreateRequest = new WatchCreateRequest
            {
                Key = EtcdKeys.PrefixStart(prefix),
                RangeEnd = EtcdKeys.PrefixEnd(prefix),
                PrevKv = true,
            },
        };

        while (true)
        {
            // Each pass opens one watch stream from the revision after the last event delivered, so a stream lost
            // to a restart or a network error resumes with no gap and no repeat.
            create.CreateRequest.StartRevision = next;
            using var call = _watch.Watch(cancellationToken: ct);
            var failure = await SendAsync(call, create, ct).ConfigureAwait(false);
            while (failure is null)
            {
                var (response, error) = await ReceiveAsync(call, ct).ConfigureAwait(false);
                if (response is null)
                {
                    failure = error ?? new RpcException(new Status(StatusCode.Unavailable, "watch stream ended"));
                    break;
                }

                if (response.CompactRevision != 0)
                {
                    ObserveCompaction(response.CompactRevision);
                    EtcdStoreLog.WatchCompacted(_logger, prefix, next, response.CompactRevision);
                    throw new CompactedException(next, response.CompactRevision);
                }

                if (response.Canceled)
                {
                    EtcdStoreLog.WatchCanceled(_logger, prefix, response.CancelReason, next);
                    failure = new RpcException(new Status(StatusCode.Aborted, response.CancelReason));
                    break;
                }

                backoff = InitialWatchBackoff;
                foreach (var change in response.Events)
                {
                    var watchEvent = ToWatchEvent(change);
                    next = watchEvent.Revision + 1;
                    yield return watchEvent;
                }
            }

            EtcdStoreLog.WatchResuming(_logger, prefix, next, (int)backoff.TotalMilliseconds, failure);
            // A plain delay is enough: the wait only spaces out reconnects and tests never need to control it.
            await Task.Delay(backoff, ct).ConfigureAwait(false);
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxWatchBackoff.Ticks));
        }
    }

    public async Task CompactAsync(long revision, CancellationToken cancellationToken = default)
    {
        try
        {
            // Physical: return only once the old revisions are gone, so a read that follows sees the compaction.
            await _kv.CompactAsync(new CompactionRequest { Revision = revision, Physical = true }, cancellationToken: cancellationToken)
                .ConfigureAwait(false);
            ObserveCompaction(revision);
        }
        catch (RpcException e) when (e.Status.Detail.Contains(CompactedMessage, StringComparison.Ordinal))
        {
            // Already compacted at or past this revision: what the caller asked for holds.
        }
        catch (RpcException e) when (e.Status.Detail.Contains(FutureRevisionMessage, StringComparison.Ordinal))
        {
            throw new FutureRevisionException(revision, await GetCurrentRevisionAsync(cancellationToken).ConfigureAwait(false));
        }
    }

    public async Task<long> GetCompactRevisionAsync(CancellationToken cancellationToken = default)
    {
        // etcd's compaction revision is not in any response, but a read below it fails with ErrCompacted and a read
        // at it succeeds; so search between the last one we know of and the current revision. When nobody else
        // compacts, the first probe succeeds and this costs one request.
        var known = Volatile.Read(ref _compactRevision);
        var low = Math.Max(known, 1);
        if (!await IsCompactedAsync(low, cancellationToken).ConfigureAwait(false))
        {
            return known;
        }

        // Invariant: low is compacted, high is readable (the current revision always is).
        var high = await GetCurrentRevisionAsync(cancellationToken).ConfigureAwait(false);
        while (high - low > 1)
        {
            var middle = low + ((high - low) / 2);
            if (await IsCompactedAsync(middle, cancellationToken).ConfigureAwait(false))
            {
                low = middle;
            }
            else
            {
                high = middle;
            }
        }

        ObserveCompaction(high);
        return high;
    }

    public ValueTask DisposeAsync()
    {
        if (!_disposed.IsCancellationRequested)
        {
            _disposed.Cancel();
            _channel.Dispose();
            _disposed.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    private static GrpcChannel CreateChannel(IReadOnlyList<string> endpoints)
    {
        if (endpoints.Count == 0)
        {
            throw new ArgumentException("At least one etcd endpoint is required.", nameof(endpoints));
        }

        var uris = new Uri[endpoints.Count];
        for (var i = 0; i < uris.Length; i++)
        {
            if (!Uri.TryCreate(endpoints[i], UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                throw new ArgumentException($"etcd endpoint '{endpoints[i]}' is not an http:// or https:// URL.", nameof(endpoints));
            }

            if (i > 0 && uri.Scheme != uris[0].Scheme)
            {
                throw new ArgumentException("All etcd endpoints must use the same scheme.", nameof(endpoints));
            }

            uris[i] = uri;
        }

        var options = new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                EnableMultipleHttp2Connections = true,
                PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
                ConnectTimeout = TimeSpan.FromSeconds(5),
                // etcd's default --grpc-keepalive-min-time is 5 s; ping less often so it never sends GOAWAY.
                KeepAlivePingDelay = TimeSpan.FromSeconds(30),
                KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
                KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            },
            // Match etcd's default --max-request-bytes (1.5 MiB) plus framing on the way in.
            MaxReceiveMessageSize = 64 * 1024 * 1024,
            ThrowOperationCanceledOnCancellation = true,
        };

        if (uris.Length == 1)
        {
            return GrpcChannel.ForAddress(uris[0], options);
        }

        var addresses = new BalancerAddress[uris.Length];
        for (var i = 0; i < uris.Length; i++)
        {
            addresses[i] = new BalancerAddress(uris[i].Host, uris[i].Port);
        }

        var services = new ServiceCollection();
        services.AddSingleton<ResolverFactory>(new StaticResolverFactory(_ => addresses));
        options.ServiceProvider = services.BuildServiceProvider();
        options.Credentials = uris[0].Scheme == Uri.UriSchemeHttps ? ChannelCredentials.SecureSsl : ChannelCredentials.Insecure;
        options.ServiceConfig = new ServiceConfig { LoadBalancingConfigs = { new RoundRobinConfig() } };
        options.InitialReconnectBackoff = TimeSpan.FromMilliseconds(100);
        options.MaxReconnectBackoff = TimeSpan.FromSeconds(5);
        return GrpcChannel.ForAddress("static:///etcd", options);
    }

    /// <summary>A read at a revision, with etcd's revision errors turned into ours.</summary>
    private async Task<RangeResponse> ReadAsync(EtcdRpc.RangeRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return await _kv.RangeAsync(request, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e) when (e.Status.Detail.Contains(CompactedMessage, StringComparison.Ordinal))
        {
            throw new CompactedException(request.Revision, await GetCompactRevisionAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (RpcException e) when (e.Status.Detail.Contains(FutureRevisionMessage, StringComparison.Ordinal))
        {
            throw new FutureRevisionException(request.Revision, await GetCurrentRevisionAsync(cancellationToken).ConfigureAwait(false));
        }
    }

    private async Task<bool> IsCompactedAsync(long revision, CancellationToken cancellationToken)
    {
        try
        {
            await _kv.RangeAsync(
                new EtcdRpc.RangeRequest { Key = EtcdKeys.Zero, CountOnly = true, Revision = revision },
                cancellationToken: cancellationToken).ConfigureAwait(false);
            return false;
        }
        catch (RpcException e) when (e.Status.Detail.Contains(CompactedMessage, StringComparison.Ordinal))
        {
            return true;
        }
    }

    private void ObserveCompaction(long revision)
    {
        var known = Volatile.Read(ref _compactRevision);
        while (revision > known)
        {
            var seen = Interlocked.CompareExchange(ref _compactRevision, revision, known);
            if (seen == known)
            {
                return;
            }

            known = seen;
        }
    }

    private static async Task<RpcException?> SendAsync(
        AsyncDuplexStreamingCall<WatchRequest, WatchResponse> call, WatchRequest request, CancellationToken ct)
    {
        try
        {
            await call.RequestStream.WriteAsync(request, ct).ConfigureAwait(false);
            return null;
        }
        catch (RpcException e) when (IsTransient(e))
        {
            return e;
        }
    }

    private static async Task<(WatchResponse? Response, RpcException? Error)> ReceiveAsync(
        AsyncDuplexStreamingCall<WatchRequest, WatchResponse> call, CancellationToken ct)
    {
        try
        {
            return await call.ResponseStream.MoveNext(ct).ConfigureAwait(false) ? (call.ResponseStream.Current, null) : (null, null);
        }
        catch (RpcException e) when (IsTransient(e))
        {
            return (null, e);
        }
    }

    /// <summary>Errors a watch outlives by reconnecting: the server went away or dropped the stream.</summary>
    private static bool IsTransient(RpcException e) => e.StatusCode is
        StatusCode.Unavailable or StatusCode.Internal or StatusCode.Unknown or StatusCode.Cancelled
        or StatusCode.DeadlineExceeded or StatusCode.Aborted or StatusCode.ResourceExhausted;

    private static Compare ModRevisionIs(ByteString key, long revision) => new()
    {
        Key = key,
        Target = Compare.Types.CompareTarget.Mod,
        Result = Compare.Types.CompareResult.Equal,
        ModRevision = revision,
    };

    private static Compare Exists(ByteString key) => new()
    {
        Key = key,
        Target = Compare.Types.CompareTarget.Create,
        Result = Compare.Types.CompareResult.Greater,
        CreateRevision = 0,
    };

    private static KeyValue? FirstKeyValue(RangeResponse range) => range.Kvs.Count == 0 ? null : ToKeyValue(range.Kvs[0]);

    // ByteString is immutable, so its memory can back the value without a copy.
    private static KeyValue ToKeyValue(Mvccpb.KeyValue kv) =>
        new(EtcdKeys.Decode(kv.Key), kv.Value.Memory, kv.CreateRevision, kv.ModRevision, kv.Version);

    private static WatchEvent ToWatchEvent(Mvccpb.Event change) => new(
        change.Type == Mvccpb.Event.Types.EventType.Delete ? WatchEventType.Delete : WatchEventType.Put,
        ToKeyValue(change.Kv),
        change.PrevKv is null ? null : ToKeyValue(change.PrevKv));
}
