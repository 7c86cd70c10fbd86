namespace IronAspire.Budget.Budgets;

public sealed record ReservationRequest(string AgentId, string? ProjectId, string Model, long InputTokens, long MaxOutputTokens, int? TtlSeconds = null);

public sealed record CommitRequest(long InputTokens, long OutputTokens, long CachedInputTokens = 0);

public sealed record BudgetLimitRequest(decimal LimitUsd, string? Period = null);

public sealed record ReservationCreated(string ReservationId, decimal ReservedUsd, decimal RemainingUsd, DateTimeOffset ExpiresAt);

public sealed record CommitResult(string ReservationId, decimal CostUsd, decimal SpentUsd, decimal RemainingUsd, bool AlreadySettled);

public sealed record BudgetStatus(string Id, decimal LimitUsd, decimal SpentUsd, decimal ReservedUsd, decimal RemainingUsd, string Period, DateTimeOffset? PeriodStart);

/// <summary>The outcome of a reservation attempt, as the API maps it to 201 / 402 / 400 / 503.</summary>
public abstract record ReserveOutcome
{
    public sealed record Reserved(ReservationCreated Reservation) : ReserveOutcome;

    /// <summary>The limit at <paramref name="Scope"/> (agent or project) does not fit the estimate.</summary>
    public sealed record Refused(string Scope, decimal SpentUsd, decimal ReservedUsd, decimal LimitUsd, decimal EstimateUsd) : ReserveOutcome;

    public sealed record NoBudget(string Scope) : ReserveOutcome;

    public sealed record UnknownPrice(string Model) : ReserveOutcome;

    public sealed record Unavailable(string Reason) : ReserveOutcome;
}
