using System.Threading.Channels;

namespace Navarch.ApiServer.Watch;

/// <summary>
/// One client's subscription to a watch cache: the initial events (a snapshot when the watch started from
/// "any" revision, or the buffered history after the requested revision), then live events.
/// </summary>
public sealed class CacheWatcher : IDisposable
{
    private readonly Action<CacheWatcher> _unregister;

    internal CacheWatcher(IReadOnlyList<CacheEvent> initial, int capacity, Action<CacheWatcher> unregister)
    {
        Initial = initial;
        _unregister = unregister;
        Live = Channel.CreateBounded<CacheEvent>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public IReadOnlyList<CacheEvent> Initial { get; }

    internal Channel<CacheEvent> Live { get; }

    public ChannelReader<CacheEvent> Events => Live.Reader;

    /// <summary>Offers a live event; a watcher too slow to keep up is closed so that it cannot hold memory.</summary>
    internal void Offer(CacheEvent e)
    {
        if (!Live.Writer.TryWrite(e))
        {
            Live.Writer.TryComplete(new WatcherTooSlowException());
        }
    }

    public void Dispose()
    {
        Live.Writer.TryComplete();
        _unregister(this);
    }
}
