namespace IronAspire.Contracts.Events;

/// <summary>A provider's circuit breaker changed state: Closed, Open, HalfOpen or Isolated.</summary>
public sealed record CircuitStateChanged(
    Guid EventId,
    string Provider,
    string State,
    string? Reason,
    DateTimeOffset Timestamp) : IIronAspireEvent;
