using IronAspire.Contracts.Agents;
using StackExchange.Redis;

namespace IronAspire.AgentSupervisor.Agents;

/// <summary>
/// The Router's view of agent keys: one Redis hash per key hash (<see cref="AgentKeyFormat"/>). PostgreSQL is the
/// durable copy; <see cref="SyncAsync"/> rewrites Redis from it so a flushed Redis does not lock agents out.
/// </summary>
public sealed class AgentKeyStore(IConnectionMultiplexer redis)
{
    public Task PublishAsync(string keyHash, string agentId, string? projectId)
    {
        var entries = projectId is null
            ? new HashEntry[] { new(AgentKeyFormat.AgentIdField, agentId) }
            : [new(AgentKeyFormat.AgentIdField, agentId), new(AgentKeyFormat.ProjectIdField, projectId)];
        var db = redis.GetDatabase();
        var batch = db.CreateTransaction();
        _ = batch.KeyDeleteAsync(AgentKeyFormat.RedisKeyPrefix + keyHash);
        _ = batch.HashSetAsync(AgentKeyFormat.RedisKeyPrefix + keyHash, entries);
        return batch.ExecuteAsync();
    }

    public Task RevokeAsync(string keyHash) => redis.GetDatabase().KeyDeleteAsync(AgentKeyFormat.RedisKeyPrefix + keyHash);

    public async Task SyncAsync(IEnumerable<AgentRecord> agents)
    {
        foreach (var agent in agents)
        {
            await PublishAsync(agent.KeyHash, agent.Id, agent.ProjectId);
            if (agent.RunKeyHash is { } runKey && agent.State.IsActive())
            {
                await PublishAsync(runKey, agent.Id, agent.ProjectId);
            }
        }
    }
}
