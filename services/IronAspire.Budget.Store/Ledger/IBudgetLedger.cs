using IronAspire.Budget.Budgets;

namespace IronAspire.Budget.Ledger;

public sealed record LedgerEntry(
    string ReservationId, string AgentId, string? ProjectId, string Model,
    long InputTokens, long CachedInputTokens, long CacheWriteInputTokens, long OutputTokens, long CostNanos,
    string AgentCounter, string? ProjectCounter, DateTimeOffset CommittedAt);

public sealed record StoredLimit(string Scope, string Id, long LimitNanos, BudgetPeriod Period);

/// <summary>
/// The durable side of budgets, which only the Budget service has (PostgreSQL): limits, and every committed cost.
/// <see cref="BudgetStore"/> needs it to set limits, to rebuild Redis when it comes back empty, and for calls let through
/// while Redis was down (fail-open). A store without one (the Router's) reserves and settles only; it leaves those
/// cases to the Budget service.
/// </summary>
public interface IBudgetLedger
{
    Task SaveLimitAsync(string scope, string id, long limitNanos, BudgetPeriod period);

    Task<List<StoredLimit>> LoadLimitsAsync();

    /// <summary>Spent nano-USD per Redis period counter key.</summary>
    Task<Dictionary<string, long>> LoadSpentByCounterAsync();

    Task WriteAsync(IReadOnlyList<LedgerEntry> batch, CancellationToken cancellationToken);

    /// <summary>Moves every cost still in the Redis outbox into the ledger (before a rebuild reads it).</summary>
    Task DrainOutboxAsync();
}
