using IronAspire.Contracts.Events;

namespace IronAspire.EventBus;

/// <summary>
/// Publishes IronAspire events to the bus without ever blocking on the broker: an event is accepted into a bounded
/// in-memory buffer and published in the background, retried until RabbitMQ confirms it.
/// </summary>
public interface IEventPublisher
{
    /// <summary>
    /// Accepts the event for publishing. Completes at once while the buffer has room; when it is full it waits for room
    /// (so a long outage slows publishers down instead of losing events) until <paramref name="cancellationToken"/> fires.
    /// The current trace context is captured here and travels with the message.
    /// </summary>
    ValueTask PublishAsync<T>(T message, CancellationToken cancellationToken = default) where T : class, IIronAspireEvent;

    /// <summary>Events accepted but not yet confirmed by the broker (buffered, in flight or waiting to retry).</summary>
    long Pending { get; }

    /// <summary>Waits until every event accepted so far has been confirmed by the broker.</summary>
    Task FlushAsync(CancellationToken cancellationToken = default);
}
