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

    public static RedisKey Config(string scope, string id) => $"{Prefix}cfg:{scope}:{id}";

    public static string Counter(string scope, string id, string periodKey) => $"{Prefix}ctr:{scope}:{id}:{periodKey}";

    public static RedisKey Reservation(string reservationId) => Prefix + "res:" + reservationId;
}
