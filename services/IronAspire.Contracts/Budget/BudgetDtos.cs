namespace IronAspire.Contracts.Budget;

// The Budget service's HTTP contract (JSON, camelCase), shared by the service and its callers (Router, Supervisor).
// Money is decimal USD here; the service counts integer nano-USD.

/// <summary>
/// Reserve the worst case of a call: <paramref name="InputTokens"/> is an upper bound of the input, and
/// <paramref name="MaxOutputTokens"/> the output cap sent to the provider. <paramref name="RequestId"/> makes a retried
/// reservation idempotent (the same agent and request id get the same reservation back).
/// <paramref name="TtlSeconds"/> must exceed the caller's longest call, so a live call's reservation never expires.
/// </summary>
public sealed record ReservationRequest(
    string AgentId,
    string? ProjectId,
    string Model,
    long InputTokens,
    long MaxOutputTokens,
    int? TtlSeconds = null,
    string? RequestId = null);

/// <summary>201: the estimate is held. <paramref name="RemainingUsd"/> is what is left after it, at the tightest level.</summary>
public sealed record ReservationCreated(string ReservationId, decimal ReservedUsd, decimal RemainingUsd, DateTimeOffset ExpiresAt);

/// <summary>
/// The usage the provider reported; the Budget service computes the cost from its price table.
/// <paramref name="InputTokens"/> counts every input token, including the cached ones (<paramref name="CachedInputTokens"/>,
/// billed at the cached price) and those written to a prompt cache (<paramref name="CacheWriteInputTokens"/>, Anthropic's
/// cache_creation_input_tokens, billed at the cache-write price).
/// </summary>
public sealed record CommitRequest(long InputTokens, long OutputTokens, long CachedInputTokens = 0, long CacheWriteInputTokens = 0);

/// <summary>
/// The settled reservation. Spent and remaining are the agent level's after this commit; a repeated commit or release
/// returns the same figures with <paramref name="AlreadySettled"/> true.
/// </summary>
public sealed record CommitResult(string ReservationId, decimal CostUsd, decimal SpentUsd, decimal RemainingUsd, bool AlreadySettled);

/// <summary>Period: lifetime (default), daily or monthly (UTC).</summary>
/// <summary>A limit to set; <see cref="LimitUsd"/> is nullable only so a body without it is a 400, not a limit of 0.</summary>
public sealed record BudgetLimitRequest(decimal? LimitUsd, string? Period = null);

public sealed record BudgetStatus(string Id, decimal LimitUsd, decimal SpentUsd, decimal ReservedUsd, decimal RemainingUsd, string Period, DateTimeOffset? PeriodStart);

/// <summary>One row of <c>GET /v1/prices</c>: USD per million tokens.</summary>
public sealed record ModelPriceInfo(string Model, decimal InputUsdPerMillion, decimal CachedInputUsdPerMillion, decimal CacheWriteInputUsdPerMillion, decimal OutputUsdPerMillion);
