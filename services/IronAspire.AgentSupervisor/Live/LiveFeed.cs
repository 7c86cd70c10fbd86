using System.Collections.Concurrent;
using System.Threading.Channels;

namespace IronAspire.AgentSupervisor.Live;

/// <summary>One message of the live feed: <c>{"type": "...", "data": {...}}</c>.</summary>
public sealed record LiveEvent(string Type, object Data);

/// <summary>
/// Fans live events out to every connected WebSocket. Each subscriber has a bounded queue; a client too slow to keep up
/// loses its oldest events rather than slowing the bus consumers down.
/// </summary>
public sealed class LiveFeed
{
    private readonly ConcurrentDictionary<Guid, Channel<LiveEvent>> _subscribers = new();

    public int Subscribers => _subscribers.Count;

    public void Publish(LiveEvent message)
    {
        foreach (var channel in _subscribers.Values)
        {
            channel.Writer.TryWrite(message);
        }
    }

    public Subscription Subscribe()
    {
        var id = Guid.NewGuid();
        var channel = Channel.CreateBounded<LiveEvent>(new BoundedChannelOptions(1000)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        _subscribers[id] = channel;
        return new Subscription(channel.Reader, () => _subscribers.TryRemove(id, out _));
    }

    public sealed class Subscription(ChannelReader<LiveEvent> reader, Action unsubscribe) : IDisposable
    {
        public ChannelReader<LiveEvent> Reader { get; } = reader;

        public void Dispose() => unsubscribe();
    }
}
