namespace IronAspire.Contracts.Budget;

// The Budget service's HTTP contract (JSON, camelCase), shared by the service and its callers (Router, Supervisor).

/// <summary>Reserve the worst case of a call: input tokens are an upper bound, output the cap sent to the provider.</summary>
public sealed record ReservationRequest(string AgentId, string? ProjectId, string Model, long InputTokens, long MaxOutputTokens, int? TtlSeconds = null);

public sealed record ReservationCreated(string ReservationId, decimal ReservedUsd, decimal RemainingUsd, DateTimeOffset ExpiresAt);

/// <summary>The usage the provider reported; the cost is computed by the Budget service from its price table.</summary>
public sealed record CommitRequest(long InputTokens, long OutputTokens, long CachedInputTokens = 0);

public sealed record CommitResult(string ReservationId, decimal CostUsd, decimal SpentUsd, decimal RemainingUsd, bool AlreadySettled);

/// <summary>Period: lifetime (default), daily or monthly (UTC).</summary>
public sealed record BudgetLimitRequest(decimal LimitUsd, string? Period = null);

public sealed record BudgetStatus(string Id, decimal LimitUsd, decimal SpentUsd, decimal ReservedUsd, decimal RemainingUsd, string Period, DateTimeOffset? PeriodStart);
