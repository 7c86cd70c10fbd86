using IronAspire.Budget.Budgets;

namespace IronAspire.Budget.Ledger;

/// <summary>The store's view of the ledger: PostgreSQL (<see cref="BudgetLedger"/>) behind the Redis outbox that feeds it.</summary>
public sealed class DurableBudgetLedger(BudgetLedger ledger, LedgerOutbox outbox) : IBudgetLedger
{
    public Task SaveLimitAsync(string scope, string id, long limitNanos, BudgetPeriod period) => ledger.SaveLimitAsync(scope, id, limitNanos, period);

    public Task<List<StoredLimit>> LoadLimitsAsync() => ledger.LoadLimitsAsync();

    public Task<Dictionary<string, long>> LoadSpentByCounterAsync() => ledger.LoadSpentByCounterAsync();

    public Task WriteAsync(IReadOnlyList<LedgerEntry> batch, CancellationToken cancellationToken) => ledger.WriteAsync(batch, cancellationToken);

    public Task DrainOutboxAsync() => outbox.DrainAllAsync();
}
