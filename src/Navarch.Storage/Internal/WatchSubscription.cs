using System.Threading.Channels;

namespace Navarch.Storage.Internal;

/// <summary>One live watcher's bounded buffer of published events.</summary>
internal sealed class WatchSubscription(string prefix, int capacity)
{
    private readonly Channel<WatchEvent> _channel = Channel.CreateBounded<WatchEvent>(
        new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = true, // the hub publishes under its lock
            FullMode = BoundedChannelFullMode.Wait, // TryWrite fails when full; the hub then ends the subscription
        });

    private volatile bool _overflowed;
    private volatile bool _closed;

    public string Prefix { get; } = prefix;

    public ChannelReader<WatchEvent> Reader => _channel.Reader;

    /// <summary>The reader fell behind and must catch up from history.</summary>
    public bool Overflowed => _overflowed;

    /// <summary>The store was disposed.</summary>
    public bool Closed => _closed;

    /// <summary>Returns false when the buffer is full; the subscription is then ended as overflowed.</summary>
    public bool TryWrite(WatchEvent watchEvent)
    {
        if (_channel.Writer.TryWrite(watchEvent))
        {
            return true;
        }

        _overflowed = true;
        _channel.Writer.TryComplete();
        return false;
    }

    public void Close()
    {
        _closed = true;
        _channel.Writer.TryComplete();
    }
}
