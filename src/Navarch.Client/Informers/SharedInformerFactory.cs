using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Navarch.Client.Informers;

/// <summary>
/// Hands out one <see cref="SharedIndexInformer{T}"/> per (kind, namespace, label selector, field selector), as
/// client-go's <c>SharedInformerFactory</c>: however many consumers ask, the process watches each collection once.
/// </summary>
public sealed class SharedInformerFactory(IKubernetes client, ILoggerFactory loggers, TimeProvider time) : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<InformerKey, ISharedInformer> _informers = [];
    private readonly Dictionary<ISharedInformer, Task> _running = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly List<CancellationTokenSource> _links = [];
    private bool _disposed;

    /// <summary>The resync period given to informers this factory creates; zero (the default) for none.</summary>
    public TimeSpan DefaultResyncPeriod { get; init; } = TimeSpan.Zero;

    /// <summary>The shared informer for <typeparamref name="T"/> with these filters, created on first request.</summary>
    public SharedIndexInformer<T> For<T>(string? ns = null, string? labelSelector = null, string? fieldSelector = null)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var key = new InformerKey(typeof(T), Normalize(ns), Normalize(labelSelector), Normalize(fieldSelector));
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_informers.TryGetValue(key, out var existing))
            {
                return (SharedIndexInformer<T>)existing;
            }

            var informer = new SharedIndexInformer<T>(client, loggers, time, new InformerOptions
            {
                Namespace = key.Namespace,
                LabelSelector = key.LabelSelector,
                FieldSelector = key.FieldSelector,
                ResyncPeriod = DefaultResyncPeriod,
            });
            _informers.Add(key, informer);
            return informer;
        }
    }

    /// <summary>
    /// Starts every informer not started yet; call again after requesting more. They run until
    /// <paramref name="cancellationToken"/> is cancelled or the factory is disposed.
    /// </summary>
    public void Start(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            CancellationTokenSource? link = null;
            foreach (var informer in _informers.Values)
            {
                if (_running.ContainsKey(informer))
                {
                    continue;
                }

                if (link is null)
                {
                    link = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
                    _links.Add(link);
                }

                var token = link.Token;
                _running.Add(informer, Task.Run(() => informer.RunAsync(token), CancellationToken.None));
            }
        }
    }

    /// <summary>Completes when every started informer has synced.</summary>
    public Task WaitForCacheSyncAsync(CancellationToken cancellationToken)
    {
        Task[] waits;
        lock (_lock)
        {
            waits = [.. _running.Keys.Select(i => i.WaitForSyncAsync(cancellationToken))];
        }

        return Task.WhenAll(waits);
    }

    /// <summary>Stops every informer and waits for them to finish.</summary>
    public async ValueTask DisposeAsync()
    {
        Task[] running;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            running = [.. _running.Values];
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(running).ConfigureAwait(false);
        }
        finally
        {
            foreach (var link in _links)
            {
                link.Dispose();
            }

            _stop.Dispose();
        }
    }

    private static string? Normalize(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private readonly record struct InformerKey(Type Type, string? Namespace, string? LabelSelector, string? FieldSelector);
}
