namespace IronAspire.Contracts.Events;

/// <summary>Which budget an event is about: an agent's own, or a project budget several agents share.</summary>
public enum BudgetScope
{
    Agent,
    Project,
}

/// <summary>A budget crossed 50, 80 or 100 percent of its limit; published once per threshold per period.</summary>
public sealed record BudgetThresholdCrossed(
    Guid EventId,
    BudgetScope Scope,
    string BudgetId,
    int ThresholdPercent,
    decimal SpentUsd,
    decimal LimitUsd,
    string Period,
    DateTimeOffset Timestamp) : IIronAspireEvent;

/// <summary>The remaining budget cannot pay for the cheapest call; the Supervisor stops the agent(s) on it.</summary>
public sealed record BudgetExhausted(
    Guid EventId,
    BudgetScope Scope,
    string BudgetId,
    decimal SpentUsd,
    decimal LimitUsd,
    string Period,
    DateTimeOffset Timestamp) : IIronAspireEvent;
