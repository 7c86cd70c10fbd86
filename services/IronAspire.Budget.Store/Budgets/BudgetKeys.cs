using StackExchange.Redis;

namespace IronAspire.Budget.Budgets;

/// <summary>The Budget service's Redis keyspace.</summary>
public static class BudgetKeys
{
    private const string Prefix = "ironaspire:budget:";

    /// <summary>Present while Redis holds the service's state; missing after a flush or a data loss → rebuild from the ledger.</summary>
    public static readonly RedisKey Marker = Prefix + "marker";
    public static readonly RedisKey Deadlines = Prefix + "deadlines";
    public static readonly RedisKey RebuildLock = Prefix + "rebuilding";

    /// <summary>Stream of committed costs not yet written to the PostgreSQL ledger (a transactional outbox).</summary>
    public static readonly RedisKey LedgerOutbox = Prefix + "ledger-outbox";

    /// <summary>Outbox entries PostgreSQL can never take (a malformed entry), set aside so they do not block the rest.</summary>
    public static readonly RedisKey LedgerDeadLetters = Prefix + "ledger-dead";

    public static RedisKey Config(string scope, string id) => $"{Prefix}cfg:{scope}:{id}";

    public static string Counter(string scope, string id, string periodKey) => $"{Prefix}ctr:{scope}:{id}:{periodKey}";

    public static RedisKey Reservation(string reservationId) => Prefix + "res:" + reservationId;

    /// <summary>An agent's request id → its reservation, so a retried reservation is not held twice.</summary>
    public static RedisKey Request(string agentId, string requestId) => $"{Prefix}req:{agentId}:{requestId}";

    /// <summary>The period part of a counter key ("lifetime", "d2026-03-01", "m2026-03").</summary>
    public static string PeriodOf(string counter) => counter[(counter.LastIndexOf(':') + 1)..];
}
