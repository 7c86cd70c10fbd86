using IronAspire.Contracts.Agents;
using StackExchange.Redis;

namespace IronAspire.AgentSupervisor.Agents;

/// <summary>
/// The Router's view of agent keys: one Redis hash per key hash (<see cref="AgentKeyFormat"/>). PostgreSQL is the
/// durable copy; <see cref="SyncAsync"/> rewrites Redis from it so a flushed Redis does not lock agents out.
/// </summary>
public sealed class AgentKeyStore(IConnectionMultiplexer redis)
{
    /// <summary>Writes the record of one of the agent's keys: who it is, its project, the models it may use and its rate limits.</summary>
    public Task PublishAsync(string keyHash, AgentRecord agent)
    {
        List<HashEntry> entries = [new(AgentKeyFormat.AgentIdField, agent.Id)];
        if (agent.ProjectId is { } projectId)
        {
            entries.Add(new(AgentKeyFormat.ProjectIdField, projectId));
        }

        if (AgentKeyFormat.FormatModels(agent.Models) is { } models)
        {
            entries.Add(new(AgentKeyFormat.ModelsField, models));
        }

        entries.AddRange(AgentKeyFormat.FormatLimits(agent.Limits).Select(limit => new HashEntry(limit.Field, limit.Value)));

        var db = redis.GetDatabase();
        var batch = db.CreateTransaction();
        _ = batch.KeyDeleteAsync(AgentKeyFormat.RedisKeyPrefix + keyHash);
        _ = batch.HashSetAsync(AgentKeyFormat.RedisKeyPrefix + keyHash, [.. entries]);
        return batch.ExecuteAsync();
    }

    public Task RevokeAsync(string keyHash) => redis.GetDatabase().KeyDeleteAsync(AgentKeyFormat.RedisKeyPrefix + keyHash);

    public async Task SyncAsync(IEnumerable<AgentRecord> agents)
    {
        foreach (var agent in agents)
        {
            if (agent.State == AgentState.Revoked)
            {
                // Revoked for good: if a crash came between recording it and deleting the key, the key goes now.
                await RevokeAsync(agent.KeyHash);
                continue;
            }

            await PublishAsync(agent.KeyHash, agent);
            if (agent.RunKeyHash is { } runKey && agent.State.IsActive())
            {
                await PublishAsync(runKey, agent);
            }
        }
    }
}
