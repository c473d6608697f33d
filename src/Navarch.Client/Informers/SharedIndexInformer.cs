using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Navarch.Client.Informers;

/// <summary>
/// One watch of a kind shared by every consumer in the process, as client-go's <c>sharedIndexInformer</c>: a
/// reflector keeps an <see cref="Indexer{T}"/> current and each added handler gets the changes in order on its own
/// queue. Handlers added late first receive an add for every cached object. Get informers from a
/// <see cref="SharedInformerFactory"/> so that each (kind, namespace, selectors) is watched once.
/// </summary>
public sealed class SharedIndexInformer<T> : ISharedInformer, IReflectorSink<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    // Orders cache writes with the queuing of their notifications, and handler registration with both, so a handler
    // added at any moment sees a snapshot followed by exactly the changes after it.
    private readonly Lock _lock = new();
    private readonly List<ProcessorListener<T>> _listeners = [];
    private readonly List<Task> _listenerTasks = [];
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Reflector<T> _reflector;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private CancellationToken _running;
    private bool _started;

    public SharedIndexInformer(IKubernetes client, ILoggerFactory loggers, TimeProvider time, InformerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(loggers);
        ArgumentNullException.ThrowIfNull(time);
        Options = options ?? new InformerOptions();
        _logger = loggers.CreateLogger<SharedIndexInformer<T>>();
        _time = time;
        _reflector = new Reflector<T>(client, Options, this, _logger, time, new Random());
        Indexer = new Indexer<T>();
        Lister = new Lister<T>(Indexer);
    }

    public InformerOptions Options { get; }

    public Type ObjectType => typeof(T);

    /// <summary>The cache; add custom indexes here before or after start.</summary>
    public Indexer<T> Indexer { get; }

    public Lister<T> Lister { get; }

    public bool HasSynced => _synced.Task.IsCompleted;

    /// <summary>The resourceVersion the cache reflects (of the last list, event or bookmark).</summary>
    public string LastSyncResourceVersion => _reflector.LastSyncResourceVersion;

    internal Reflector<T> Reflector => _reflector;

    public Task WaitForSyncAsync(CancellationToken cancellationToken) => _synced.Task.WaitAsync(cancellationToken);

    /// <summary>Adds a handler; it receives an add for every object already cached, then every change, in order.</summary>
    public EventHandlerRegistration AddEventHandler(IResourceEventHandler<T> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var registration = new EventHandlerRegistration(RemoveEventHandler);
        var listener = new ProcessorListener<T>(handler, registration, _logger, _reflector.Resource);
        lock (_lock)
        {
            foreach (var item in Indexer.List())
            {
                listener.Enqueue(new Notification<T>(NotificationKind.Add, null, item, true));
            }

            if (HasSynced)
            {
                listener.Enqueue(new Notification<T>(NotificationKind.Synced, null, null, false));
            }

            _listeners.Add(listener);
            if (_started)
            {
                _listenerTasks.Add(Task.Run(() => listener.RunAsync(_running), CancellationToken.None));
            }
        }

        return registration;
    }

    private void RemoveEventHandler(EventHandlerRegistration registration)
    {
        lock (_lock)
        {
            var index = _listeners.FindIndex(l => l.Registration == registration);
            if (index >= 0)
            {
                _listeners[index].Stop();
                _listeners.RemoveAt(index);
            }
        }
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_started)
            {
                throw new InvalidOperationException("The informer has already been started.");
            }

            _started = true;
            _running = cancellationToken;
            foreach (var listener in _listeners)
            {
                _listenerTasks.Add(Task.Run(() => listener.RunAsync(cancellationToken), CancellationToken.None));
            }
        }

        var resync = Options.ResyncPeriod > TimeSpan.Zero ? ResyncLoopAsync(cancellationToken) : Task.CompletedTask;
        try
        {
            await _reflector.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping is the normal way out.
        }
        finally
        {
            Task[] tasks;
            lock (_lock)
            {
                foreach (var listener in _listeners)
                {
                    listener.Stop();
                }

                tasks = [.. _listenerTasks, resync];
            }

            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
    }

    private async Task ResyncLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(Options.ResyncPeriod, _time, cancellationToken).ConfigureAwait(false);
                lock (_lock)
                {
                    foreach (var item in Indexer.List())
                    {
                        Notify(new Notification<T>(NotificationKind.Update, item, item, false));
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped.
        }
    }

    void IReflectorSink<T>.Replace(IReadOnlyList<T> items)
    {
        lock (_lock)
        {
            var initial = !HasSynced;
            var present = new HashSet<string>(items.Count, StringComparer.Ordinal);
            foreach (var item in items)
            {
                present.Add(ObjectKeys.KeyOf(item));
                var old = Indexer.Upsert(item);
                if (old is null)
                {
                    Notify(new Notification<T>(NotificationKind.Add, null, item, initial));
                }
                else if (old.Metadata.ResourceVersion != item.Metadata.ResourceVersion)
                {
                    // Unlike client-go, an unchanged object is not re-delivered on a relist: handlers would only redo work.
                    Notify(new Notification<T>(NotificationKind.Update, old, item, false));
                }
            }

            if (Indexer.Count > present.Count)
            {
                foreach (var key in Indexer.ListKeys())
                {
                    if (!present.Contains(key) && Indexer.Remove(key) is { } gone)
                    {
                        // Deleted while we were not watching: the last state we knew, as DeletedFinalStateUnknown.
                        Notify(new Notification<T>(NotificationKind.Delete, null, gone, true));
                    }
                }
            }

            if (initial)
            {
                Notify(new Notification<T>(NotificationKind.Synced, null, null, false));
                _synced.TrySetResult();
                InformerLog.Synced(_logger, _reflector.Resource, items.Count);
            }
        }
    }

    void IReflectorSink<T>.Add(T obj) => Upsert(obj);

    void IReflectorSink<T>.Update(T obj) => Upsert(obj);

    void IReflectorSink<T>.Delete(T obj)
    {
        lock (_lock)
        {
            if (Indexer.Remove(ObjectKeys.KeyOf(obj)) is not null)
            {
                Notify(new Notification<T>(NotificationKind.Delete, null, obj, false));
            }
        }
    }

    private void Upsert(T obj)
    {
        lock (_lock)
        {
            var old = Indexer.Upsert(obj);
            Notify(old is null
                ? new Notification<T>(NotificationKind.Add, null, obj, false)
                : new Notification<T>(NotificationKind.Update, old, obj, false));
        }
    }

    private void Notify(in Notification<T> notification)
    {
        foreach (var listener in _listeners)
        {
            listener.Enqueue(notification);
        }
    }
}
