namespace IronAspire.Contracts.Events;

/// <summary>
/// Every event carries a unique id (consumers are idempotent on it) and the time it happened.
/// Events are published with MassTransit; the message type's full name is its contract, so keep namespaces stable.
/// </summary>
public interface IIronAspireEvent
{
    Guid EventId { get; }
    DateTimeOffset Timestamp { get; }
}
