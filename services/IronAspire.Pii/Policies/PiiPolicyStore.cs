using System.Text.Json;
using StackExchange.Redis;

namespace IronAspire.Pii.Policies;

/// <summary>
/// Policies in Redis: the Safety service writes, the Router reads (through <see cref="PiiPolicyCache"/>).
/// <list type="bullet">
/// <item><c>ironaspire:pii:policy:default</c> and <c>ironaspire:pii:policy:agent:{agentId}</c>: policy JSON.</item>
/// <item><c>ironaspire:pii:policy:version</c>: incremented with every change (in the same transaction), so readers
/// detect a change with one GET even if they missed the notification.</item>
/// <item>channel <c>ironaspire:pii:policy:changed</c>: published after each change (message: agent id, or empty for
/// the default) so caches refresh at once.</item>
/// </list>
/// </summary>
public sealed class PiiPolicyStore(IConnectionMultiplexer redis)
{
    public const string DefaultKey = "ironaspire:pii:policy:default";
    public const string AgentKeyPrefix = "ironaspire:pii:policy:agent:";
    public const string VersionKey = "ironaspire:pii:policy:version";
    public static readonly RedisChannel ChangedChannel = RedisChannel.Literal("ironaspire:pii:policy:changed");

    public static RedisKey AgentKey(string agentId) => AgentKeyPrefix + agentId;

    private IDatabase Db => redis.GetDatabase();

    /// <summary>The stored default policy, or null when none was ever stored (then <see cref="PiiPolicy.BuiltInDefault"/> applies).</summary>
    public async Task<PiiPolicy?> GetDefaultAsync() => Parse(await Db.StringGetAsync(DefaultKey));

    /// <summary>The agent's override, or null when it has none.</summary>
    public async Task<PiiPolicy?> GetAgentAsync(string agentId) => Parse(await Db.StringGetAsync(AgentKey(agentId)));

    public async Task<long> GetVersionAsync() => (long?)await Db.StringGetAsync(VersionKey) ?? 0;

    /// <summary>Stores the default policy; returns the new version.</summary>
    public Task<long> SetDefaultAsync(PiiPolicy policy) => WriteAsync(DefaultKey, policy, "");

    /// <summary>Stores an agent's override; returns the new version.</summary>
    public Task<long> SetAgentAsync(string agentId, PiiPolicy policy) => WriteAsync(AgentKey(agentId), policy, agentId);

    /// <summary>Removes an agent's override; false when it had none.</summary>
    public async Task<bool> DeleteAgentAsync(string agentId)
    {
        var transaction = Db.CreateTransaction();
        var deleted = transaction.KeyDeleteAsync(AgentKey(agentId));
        _ = transaction.StringIncrementAsync(VersionKey);
        await transaction.ExecuteAsync();
        await redis.GetSubscriber().PublishAsync(ChangedChannel, agentId);
        return await deleted;
    }

    /// <summary>Version, default JSON and the JSON of each agent override, in one round trip.</summary>
    internal async Task<(long Version, RedisValue Default, RedisValue[] Agents)> ReadRawAsync(IReadOnlyList<string> agentIds)
    {
        var keys = new RedisKey[agentIds.Count + 2];
        keys[0] = VersionKey;
        keys[1] = DefaultKey;
        for (var i = 0; i < agentIds.Count; i++)
        {
            keys[i + 2] = AgentKey(agentIds[i]);
        }

        var values = await Db.StringGetAsync(keys);
        return ((long?)values[0] ?? 0, values[1], values[2..]);
    }

    internal static PiiPolicy? Parse(RedisValue json) =>
        json.IsNullOrEmpty ? null : JsonSerializer.Deserialize<PiiPolicy>((string)json!, PiiPolicy.Json);

    private async Task<long> WriteAsync(RedisKey key, PiiPolicy policy, string agentId)
    {
        var transaction = Db.CreateTransaction();
        _ = transaction.StringSetAsync(key, JsonSerializer.Serialize(policy, PiiPolicy.Json));
        var version = transaction.StringIncrementAsync(VersionKey);
        await transaction.ExecuteAsync();
        await redis.GetSubscriber().PublishAsync(ChangedChannel, agentId);
        return await version;
    }
}
