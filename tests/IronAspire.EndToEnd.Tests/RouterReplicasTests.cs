using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using IronAspire.AppHost.Lifecycle;
using IronAspire.Contracts.Agents;
using IronAspire.Testing;
using StackExchange.Redis;

namespace IronAspire.EndToEnd.Tests;

/// <summary>
/// <c>--AppHost:RouterReplicas=2</c>: two Router processes behind DCP's proxy on one port. They share Redis, so a race of
/// many agents' calls across both never lets an agent spend past its limit, and nothing stays reserved.
/// </summary>
[Collection(IronAspireAppCollection.Name)]
public class RouterReplicasTests
{
    [Fact]
    public async Task Calls_raced_across_two_router_replicas_never_overspend_any_agent()
    {
        await using var app = await IronAspireApp.StartAsync("--AppHost:RouterReplicas=2");
        var replicas = await ReplicaProcessesAsync(app);
        Assert.Equal(2, replicas.Count);

        // Twenty agents, each with room for a handful of calls (~0.00008 USD reserved per call at its worst case).
        await using var redis = await ConnectionMultiplexer.ConnectAsync(await app.ConnectionStringAsync("cache"));
        using var budget = app.CreateHttpClient("budget");
        budget.DefaultRequestHeaders.Authorization = new("Bearer", await app.ParameterAsync("admin-key"));
        var agents = new List<(string Id, string Key)>();
        for (var i = 0; i < 20; i++)
        {
            var id = $"replica-{Guid.NewGuid():N}"[..24];
            var key = AgentKeyFormat.NewKey();
            await redis.GetDatabase().HashSetAsync(AgentKeyFormat.RedisKey(key), [new(AgentKeyFormat.AgentIdField, id)]);
            (await budget.PutAsJsonAsync($"/v1/budgets/{id}", new { limitUsd = 0.0004m })).EnsureSuccessStatusCode();
            agents.Add((id, key));
        }

        var cpuBefore = replicas.Select(CpuNanoseconds).ToArray();
        using var router = app.CreateHttpClient("router");
        var statuses = new ConcurrentBag<HttpStatusCode>();
        await Parallel.ForEachAsync(Enumerable.Range(0, 600), new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (i, ct) =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
            {
                Content = new StringContent("""{"model":"gpt-4o-mini","max_tokens":100,"messages":[{"role":"user","content":"Tell me something."}]}""", System.Text.Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new("Bearer", agents[i % agents.Count].Key);
            using var response = await router.SendAsync(request, ct);
            statuses.Add(response.StatusCode);
        });
        var cpu = replicas.Select((pid, i) => CpuNanoseconds(pid) - cpuBefore[i]).ToArray();

        Assert.All(statuses, s => Assert.True(s is HttpStatusCode.OK or HttpStatusCode.PaymentRequired, s.ToString()));
        Assert.Contains(HttpStatusCode.PaymentRequired, statuses);
        foreach (var (id, _) in agents)
        {
            var state = await budget.WaitSettledAsync($"/v1/budgets/{id}");

            Assert.True(state["spentUsd"]!.GetValue<decimal>() <= 0.0004m, $"{id} spent {state["spentUsd"]} of 0.0004");
            Assert.True(state["spentUsd"]!.GetValue<decimal>() > 0, $"{id} made calls");
            Assert.Equal(0m, state["reservedUsd"]!.GetValue<decimal>());
        }

        // Both replicas served: each did a real share of the work (CPU time of its process during the race).
        Assert.All(cpu, c => Assert.True(c > 0.2 * cpu.Sum(), $"CPU per replica during the race (ns): {string.Join(", ", cpu)}"));
    }

    /// <summary>The service process of every Router replica (DCP runs each as `dotnet run`, the service its child).</summary>
    private static async Task<List<int>> ReplicaProcessesAsync(IronAspireApp app)
    {
        var started = new Dictionary<string, int>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await foreach (var update in app.App.ResourceNotifications.WatchAsync(timeout.Token))
        {
            if (update.Resource.Name == "router" && update.Snapshot.State?.Text == KnownResourceStates.Running
                && ProcessTree.StartedPid(update.Snapshot) is { } pid)
            {
                started[update.ResourceId] = pid;
                if (started.Count == 2)
                {
                    break;
                }
            }
        }

        for (var i = 0; i < 100 && started.Values.Any(p => ProcessTree.MainProcess(p) == p); i++)
        {
            await Task.Delay(100);
        }

        return [.. started.Values.Select(ProcessTree.MainProcess)];
    }

    /// <summary>Time the process's threads have run, from the kernel's per-thread scheduler statistics.</summary>
    private static long CpuNanoseconds(int pid) =>
        Directory.EnumerateDirectories($"/proc/{pid}/task")
            .Select(task => { try { return long.Parse(File.ReadAllText(Path.Combine(task, "schedstat")).Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture); } catch (IOException) { return 0L; } })
            .Sum();
}
