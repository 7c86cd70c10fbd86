using System.Diagnostics;
using IronAspire.AgentSupervisor.Data;
using IronAspire.Contracts.Agents;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace IronAspire.AgentSupervisor.Tests;

/// <summary>A Supervisor that went away while agents ran: the next one finds their process groups, kills them, marks
/// the agents Lost and restarts those whose policy says so; Redis gets every key back from PostgreSQL.</summary>
public sealed class ReconciliationTests
{
    private static string Script(string name) => Path.Combine(AppContext.BaseDirectory, "scripts", name);

    [Fact]
    public async Task Orphaned_agents_are_killed_marked_Lost_and_restarted_per_policy_and_keys_resynced()
    {
        var database = await SupervisorFactory.NewDatabaseAsync();
        CreatedAgent restartable, oneShot;
        await using (var first = await SupervisorFactory.StartAsync(database: database))
        {
            using var admin = first.Admin();
            restartable = await admin.CreateAgentAsync(new { name = "keeps-going", command = "bash", args = new[] { Script("idle.sh") }, budgetUsd = 1, restart = "on-failure", maxRestarts = 3 });
            oneShot = await admin.CreateAgentAsync(new { name = "one-shot", command = "bash", args = new[] { Script("idle.sh") }, budgetUsd = 1 });
            await admin.WaitForAsync(restartable.Id, a => a.State == "Running");
            await admin.WaitForAsync(oneShot.Id, a => a.State == "Running");
        }

        // What a crashed Supervisor leaves behind: the rows say Running, and a process group (in its own session) lives on.
        using var orphan = Process.Start(new ProcessStartInfo("setsid", ["bash", Script("idle.sh")]) { RedirectStandardOutput = true })!;
        var orphanChild = int.Parse((await orphan.StandardOutput.ReadLineAsync())!.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var staleRunKey = AgentKeyFormat.NewKey();
        var redis = await ConnectionMultiplexer.ConnectAsync(await IronAspire.Testing.BackingServers.RedisAsync());
        await redis.GetDatabase().HashSetAsync(AgentKeyFormat.RedisKey(staleRunKey), AgentKeyFormat.AgentIdField, restartable.Id);
        await using (var db = new SupervisorDbContext(new DbContextOptionsBuilder<SupervisorDbContext>().UseNpgsql(database).Options))
        {
            await db.Agents.Where(a => a.Id == restartable.Id).ExecuteUpdateAsync(set => set
                .SetProperty(a => a.State, AgentState.Running)
                .SetProperty(a => a.Pid, orphan.Id)
                .SetProperty(a => a.ProcessStartTicks, ProcessGroup.StartTicks(orphan.Id))
                .SetProperty(a => a.RunKeyHash, AgentKeyFormat.Hash(staleRunKey)));
            // This one's process is long gone (its pid now belongs to nobody, or to someone else: never signalled).
            await db.Agents.Where(a => a.Id == oneShot.Id).ExecuteUpdateAsync(set => set
                .SetProperty(a => a.State, AgentState.Running)
                .SetProperty(a => a.Pid, 1)
                .SetProperty(a => a.ProcessStartTicks, 1L));
        }

        // Redis lost the keys (flushed, or a new server).
        await redis.GetDatabase().KeyDeleteAsync(AgentKeyFormat.RedisKey(restartable.ApiKey));
        await redis.GetDatabase().KeyDeleteAsync(AgentKeyFormat.RedisKey(oneShot.ApiKey));

        await using var second = await SupervisorFactory.StartAsync(database: database);
        using var admin2 = second.Admin();

        Assert.True(orphan.WaitForExit(5000), "the orphaned agent process survived");
        Assert.False(AgentApiExtensions.ProcessExists(orphanChild), "the orphan's child survived");

        var restarted = await admin2.WaitForAsync(restartable.Id, a => a.State == "Running");
        Assert.Equal(1, restarted.Restarts);
        Assert.NotEqual(orphan.Id, restarted.Pid);
        var lost = await admin2.AgentAsync(oneShot.Id);
        Assert.Equal("Lost", lost.State);
        Assert.True(AgentApiExtensions.ProcessExists(1), "pid 1 must never be signalled");

        var cache = redis.GetDatabase();
        Assert.Equal(restartable.Id, (string?)await cache.HashGetAsync(AgentKeyFormat.RedisKey(restartable.ApiKey), AgentKeyFormat.AgentIdField));
        Assert.Equal(oneShot.Id, (string?)await cache.HashGetAsync(AgentKeyFormat.RedisKey(oneShot.ApiKey), AgentKeyFormat.AgentIdField));
        Assert.False(await cache.KeyExistsAsync(AgentKeyFormat.RedisKey(staleRunKey)), "the dead run's key was not revoked");
    }
}
