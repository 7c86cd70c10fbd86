extern alias analyticsservice;
extern alias budgetservice;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IronAspire.Contracts.Budget;
using IronAspire.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace IronAspire.Router.Tests;

/// <summary>
/// Issue 13's fault test: Redis frozen (SIGSTOP) for 45 s under load, then thawed. The Router, the Budget service and
/// Analytics keep running; calls during the stall are refused fast and closed (503 budget_unavailable); every 200 the
/// clients saw is in Analytics and in the PostgreSQL ledger; nothing stays reserved.
/// </summary>
public sealed class RedisStallFaultTests : IAsyncLifetime
{
    private const string ServiceKey = "fault-test-service-key";
    private const string AdminKey = "fault-test-admin-key";
    private static readonly TimeSpan Stall = TimeSpan.FromSeconds(45);

    private readonly string _name = "stall" + Guid.NewGuid().ToString("N")[..8];
    private MockProviderHost _mock = null!;
    private WebApplicationFactory<budgetservice::Program> _budget = null!;
    private WebApplicationFactory<analyticsservice::Program> _analytics = null!;
    private RouterHost _router = null!;

    public async Task InitializeAsync()
    {
        var redis = await BackingServers.RedisAsync();
        var budgetDb = await BackingServers.PostgresDatabaseAsync(_name + "_budget");
        // Analytics first: its queues must be bound before the Router publishes.
        _analytics = await AnalyticsServiceHost.StartAsync(_name, AdminKey);

        _budget = new WebApplicationFactory<budgetservice::Program>().WithWebHostBuilder(web =>
        {
            web.UseSetting("ConnectionStrings:cache", redis);
            web.UseSetting("ConnectionStrings:budgetdb", budgetDb);
            web.UseSetting("Budget:SweepIntervalSeconds", "0.2");
            web.UseSetting("IRONASPIRE_ADMIN_KEY", AdminKey);
            web.UseSetting("IRONASPIRE_SERVICE_KEY", ServiceKey);
        });
        _ = _budget.Server;

        _mock = await MockProviderHost.StartAsync();
        var settings = RouterHost.OpenAIAndAnthropic(_mock.Url);
        settings["Router:Budget:Enabled"] = "true";
        settings["Router:DemoAgent:AgentId"] = _name;
        settings["IRONASPIRE_SERVICE_KEY"] = ServiceKey;
        settings["services:budget:http:0"] = "http://localhost";
        settings["EventBus:ShutdownFlushTimeout"] = "00:00:30";
        settings["Router:Budget:SettleOnStopSeconds"] = "2";
        _router = await RouterHost.StartAsync(settings, services =>
            services.AddHttpClient<BudgetClient>().ConfigurePrimaryHttpMessageHandler(() => _budget.Server.CreateHandler()));

        using var admin = BudgetClient(AdminKey);
        (await admin.PutAsJsonAsync($"/v1/budgets/{_name}", new { limitUsd = 100m })).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        await BackingServers.ResumeRedisAsync();
        await _router.DisposeAsync();
        await _mock.DisposeAsync();
        await _budget.DisposeAsync();
        await _analytics.DisposeAsync();
    }

    private HttpClient BudgetClient(string key)
    {
        var client = _budget.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", key);
        return client;
    }

    private sealed record Outcome(int Status, string? Code, TimeSpan Took, bool DuringStall);

    [Fact]
    public async Task Redis_stalled_45_s_under_load_stops_no_host_refuses_fast_and_loses_nothing()
    {
        var outcomes = new ConcurrentBag<Outcome>();
        var stalled = 0;
        using var stop = new CancellationTokenSource();
        var load = Enumerable.Range(0, 6).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var during = Volatile.Read(ref stalled) == 1;
                var watch = Stopwatch.StartNew();
                using var response = await _router.PostAsync("/v1/chat/completions", RouterHost.Chat("gpt-4o-mini", maxTokens: 8));
                var body = await response.Content.ReadAsStringAsync();
                var code = response.IsSuccessStatusCode ? null : JsonNode.Parse(body)?["error"]?["code"]?.GetValue<string>();
                outcomes.Add(new Outcome((int)response.StatusCode, code, watch.Elapsed, during && Volatile.Read(ref stalled) == 1));
                await Task.Delay(50);
            }
        })).ToList();

        // An agent key that is in Redis but was never used, so no Router has it cached.
        var unseenKey = "ia-" + Guid.NewGuid().ToString("N");
        var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(await BackingServers.RedisAsync());
        await using (redis)
        {
            await redis.GetDatabase().HashSetAsync(IronAspire.Contracts.Agents.AgentKeyFormat.RedisKey(unseenKey),
                [new StackExchange.Redis.HashEntry(IronAspire.Contracts.Agents.AgentKeyFormat.AgentIdField, _name)]);
        }

        await Task.Delay(TimeSpan.FromSeconds(3));
        await BackingServers.PauseRedisAsync();
        Volatile.Write(ref stalled, 1);
        try
        {
            // Its lookup gets no answer: refused within Router:KeyLookupTimeoutMs (1 s) as unavailable, not as a bad key.
            var watch = Stopwatch.StartNew();
            using var unseen = await _router.PostAsync("/v1/chat/completions", RouterHost.Chat("gpt-4o-mini", maxTokens: 8), unseenKey);
            var took = watch.Elapsed;
            var refusal = JsonNode.Parse(await unseen.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.ServiceUnavailable, unseen.StatusCode);
            Assert.Equal("agent_key_unavailable", refusal?["error"]?["code"]?.GetValue<string>());
            Assert.True(took < TimeSpan.FromSeconds(2.5), $"the unseen key's refusal took {took}");
            await Task.Delay(Stall - took);
        }
        finally
        {
            Volatile.Write(ref stalled, 0);
            await BackingServers.ResumeRedisAsync();
        }

        await Task.Delay(TimeSpan.FromSeconds(5));
        stop.Cancel();
        await Task.WhenAll(load);

        // Every host still runs.
        foreach (var services in new[] { _router.Services, _budget.Services, _analytics.Services })
        {
            Assert.False(services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested);
        }

        using (var alive = await _router.Client.GetAsync("/alive"))
        {
            Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        }

        // Calls during the stall were refused closed and fast; none failed any other way.
        var duringStall = outcomes.Where(o => o.DuringStall).ToList();
        Assert.NotEmpty(duringStall);
        Assert.All(duringStall, o => Assert.True(o.Status == 503 && o.Code == "budget_unavailable" || o.Status == 200, $"{o.Status} {o.Code}"));
        Assert.Contains(duringStall, o => o.Status == 503);
        var slowest = duringStall.Where(o => o.Status == 503).Max(o => o.Took);
        // Bounded by Budget:ReserveTimeoutMs (2 s, twice when the script must be loaded again), with slack for a machine
        // running the other test projects (the demo key is checked without Redis).
        Assert.True(slowest < TimeSpan.FromSeconds(7), $"a refusal during the stall took {slowest}");
        Assert.All(outcomes, o => Assert.True(o.Status is 200 or 503, $"{o.Status} {o.Code}"));
        var succeeded = outcomes.Count(o => o.Status == 200);
        Assert.True(succeeded > 10, $"only {succeeded} calls succeeded");

        // Settled: nothing reserved, and the ledger holds exactly what Redis counts as spent.
        using var budget = BudgetClient(ServiceKey);
        var state = await budget.WaitSettledAsync($"/v1/budgets/{_name}", attempts: 300);

        Assert.Equal(0m, state["reservedUsd"]!.GetValue<decimal>());
        var spentUsd = state["spentUsd"]!.GetValue<decimal>();
        await _budget.Services.GetRequiredService<budgetservice::IronAspire.Budget.Ledger.LedgerOutbox>().DrainAllAsync();
        var ledgerNanos = await _budget.Services.GetRequiredService<budgetservice::IronAspire.Budget.Ledger.BudgetLedger>().TotalSpentAsync(_name);
        Assert.Equal(spentUsd, ledgerNanos / 1_000_000_000m);

        // Every 200 reached Analytics, with the cost the ledger holds.
        var summary = await _analytics.SummaryAsync(AdminKey, _name, outcomes.Count);
        Assert.Equal(outcomes.Count, summary["requests"]!.GetValue<long>());
        Assert.Equal(succeeded, summary["requests"]!.GetValue<long>() - summary["failures"]!.GetValue<long>());
        Assert.Equal(spentUsd, summary["costUsd"]!.GetValue<decimal>());
    }

    [Fact]
    public async Task A_Router_stopped_while_Redis_stalls_still_publishes_the_events_of_the_calls_it_could_not_settle()
    {
        // Three calls the provider holds 1.5 s: reserved before Redis stalls, answered while it is stalled.
        var calls = Enumerable.Range(0, 3).Select(async _ =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
            {
                Content = new StringContent(RouterHost.Chat("gpt-4o-mini", maxTokens: 8), System.Text.Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new("Bearer", RouterHost.AgentKey);
            request.Headers.Add("x-mock-latency-ms", "1500");
            using var response = await _router.Client.SendAsync(request);
            await response.Content.ReadAsStringAsync();
            return response.StatusCode;
        }).ToList();
        await Task.Delay(500);
        await BackingServers.PauseRedisAsync();
        TimeSpan stopping;
        try
        {
            Assert.All(await Task.WhenAll(calls), status => Assert.Equal(HttpStatusCode.OK, status));
            // Their commits wait for Redis; the Router stops anyway, within Router:Budget:SettleOnStopSeconds (2 s) and a flush.
            var watch = Stopwatch.StartNew();
            await _router.DisposeAsync();
            stopping = watch.Elapsed;
        }
        finally
        {
            await BackingServers.ResumeRedisAsync();
        }

        // Well inside the host's own 30 s shutdown timeout: 2 s of settling, the flush, and disposing Redis clients whose
        // server does not answer (the whole test suite runs beside it).
        Assert.True(stopping < TimeSpan.FromSeconds(20), $"the Router took {stopping} to stop");
        Assert.Contains(_router.Logs.Lines, line => line.Contains("was not settled within 2 s of the Router stopping", StringComparison.Ordinal));
        // Each call's event went out before the host ended, priced from the price table.
        var summary = await _analytics.SummaryAsync(AdminKey, _name, 3);
        Assert.Equal(3, summary["requests"]!.GetValue<long>());
        Assert.Equal(0, summary["failures"]!.GetValue<long>());
        Assert.True(summary["costUsd"]!.GetValue<decimal>() > 0, summary.ToJsonString());
    }
}
