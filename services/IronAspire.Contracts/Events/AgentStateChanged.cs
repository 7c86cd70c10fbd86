namespace IronAspire.Contracts.Events;

/// <summary>
/// An agent process changed state. States: Pending, Starting, Running, Stopping, Stopped, Exited,
/// Failed, BudgetExhausted, Lost.
/// </summary>
public sealed record AgentStateChanged(
    Guid EventId,
    string AgentId,
    string Name,
    string State,
    int? Pid,
    int? ExitCode,
    string? Reason,
    DateTimeOffset Timestamp) : IIronAspireEvent;
