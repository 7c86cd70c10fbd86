using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IronAspire.Testing;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace IronAspire.Budget.Tests;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RedisOutageCollection
{
    public const string Name = "Redis outages";
}

/// <summary>Spend survives Redis restarts and flushes; periods reset on time; no Redis means no reservations.</summary>
[Collection(RedisOutageCollection.Name)]
public class DurabilityTests
{
    private static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..24];

    private static async Task<string> ReserveAndCommitAsync(HttpClient client, string agent)
    {
        using var reserve = await client.PostAsJsonAsync("/v1/reservations", new { agentId = agent, model = "gpt-4o", inputTokens = 1000, maxOutputTokens = 1000 });
        Assert.Equal(HttpStatusCode.Created, reserve.StatusCode);
        var id = (await reserve.Content.ReadFromJsonAsync<JsonObject>())!["reservationId"]!.GetValue<string>();
        using var commit = await client.PostAsJsonAsync($"/v1/reservations/{id}/commit", new { inputTokens = 1000, outputTokens = 500 });
        Assert.Equal(HttpStatusCode.OK, commit.StatusCode);
        return id;
    }

    [Fact]
    public async Task Daily_and_monthly_budgets_reset_at_midnight_utc_and_a_lifetime_budget_never()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 31, 23, 0, 0, TimeSpan.Zero));
        await using var service = new BudgetServiceFactory { Time = time };
        await service.InitializeAsync();
        var (daily, monthly, lifetime) = (NewId("daily"), NewId("monthly"), NewId("lifetime"));
        await service.SetLimitAsync(daily, 0.015m, "daily");
        await service.SetLimitAsync(monthly, 0.015m, "monthly");
        await service.SetLimitAsync(lifetime, 0.015m);
        var client = service.CreateClient();
        foreach (var agent in new[] { daily, monthly, lifetime })
        {
            await ReserveAndCommitAsync(client, agent);
            // 0.0075 USD spent of 0.015: the next worst case (0.0125) does not fit.
            using var refused = await client.PostAsJsonAsync("/v1/reservations", new { agentId = agent, model = "gpt-4o", inputTokens = 1000, maxOutputTokens = 1000 });
            Assert.Equal(HttpStatusCode.PaymentRequired, refused.StatusCode);
        }

        time.Advance(TimeSpan.FromMinutes(30));
        Assert.Equal(0.0075m, (await service.GetBudgetAsync(daily))["spentUsd"]!.GetValue<decimal>());

        time.Advance(TimeSpan.FromMinutes(31)); // 2026-04-01 00:01 UTC: a new day and a new month
        var afterDaily = await service.GetBudgetAsync(daily);
        var afterMonthly = await service.GetBudgetAsync(monthly);

        Assert.Equal("daily", afterDaily["period"]!.GetValue<string>());
        Assert.Equal(0m, afterDaily["spentUsd"]!.GetValue<decimal>());
        Assert.Equal(new DateTimeOffset(2026, 4, 1, 0, 0, 0, TimeSpan.Zero), afterDaily["periodStart"]!.GetValue<DateTimeOffset>());
        Assert.Equal("monthly", afterMonthly["period"]!.GetValue<string>());
        Assert.Equal(0m, afterMonthly["spentUsd"]!.GetValue<decimal>());
        Assert.Equal(new DateTimeOffset(2026, 4, 1, 0, 0, 0, TimeSpan.Zero), afterMonthly["periodStart"]!.GetValue<DateTimeOffset>());
        Assert.Equal(0.0075m, (await service.GetBudgetAsync(lifetime))["spentUsd"]!.GetValue<decimal>());
        // The new period admits calls again; the lifetime budget still refuses.
        await ReserveAndCommitAsync(client, daily);
        await ReserveAndCommitAsync(client, monthly);
        using var stillRefused = await client.PostAsJsonAsync("/v1/reservations", new { agentId = lifetime, model = "gpt-4o", inputTokens = 1000, maxOutputTokens = 1000 });
        Assert.Equal(HttpStatusCode.PaymentRequired, stillRefused.StatusCode);
    }

    [Fact]
    public async Task A_flushed_redis_is_rebuilt_from_the_ledger_and_a_restarted_redis_keeps_its_spend()
    {
        await using var service = new BudgetServiceFactory();
        await service.InitializeAsync();
        var agent = NewId("durable");
        await service.SetLimitAsync(agent, 1m);
        var client = service.CreateClient();
        await ReserveAndCommitAsync(client, agent);
        await ReserveAndCommitAsync(client, agent);
        var spent = (await service.GetBudgetAsync(agent))["spentUsd"]!.GetValue<decimal>();

        // Restart: append-only persistence keeps everything.
        await BackingServers.StopRedisAsync();
        await BackingServers.StartRedisAsync();
        await WaitForRedisAsync(service);
        Assert.Equal(spent, (await service.GetBudgetAsync(agent))["spentUsd"]!.GetValue<decimal>());

        // Flush: the service rebuilds limits and spent totals from the PostgreSQL ledger before its next reservation.
        // The ledger is written behind commits (from the Redis outbox, in 50 ms batches): drained before the flush.
        Assert.Equal((long)(spent * 1_000_000_000m), await service.LedgerTotalNanosAsync(agent));
        using (var admin = await ConnectionMultiplexer.ConnectAsync(await BackingServers.RedisAsync() + ",allowAdmin=true"))
        {
            await admin.GetServers()[0].FlushAllDatabasesAsync();
        }

        await ReserveAndCommitAsync(client, agent);
        var rebuilt = await service.GetBudgetAsync(agent);
        Assert.Equal(1m, rebuilt["limitUsd"]!.GetValue<decimal>());
        Assert.Equal(spent * 3 / 2, rebuilt["spentUsd"]!.GetValue<decimal>());
    }

    [Fact]
    public async Task Without_redis_reservations_fail_closed_with_503_and_a_pending_commit_succeeds_once_redis_is_back()
    {
        await using var service = new BudgetServiceFactory();
        await service.InitializeAsync();
        var agent = NewId("down");
        await service.SetLimitAsync(agent, 1m);
        var client = service.CreateClient();
        using var pending = await client.PostAsJsonAsync("/v1/reservations", new { agentId = agent, model = "gpt-4o", inputTokens = 1000, maxOutputTokens = 1000 });
        var pendingId = (await pending.Content.ReadFromJsonAsync<JsonObject>())!["reservationId"]!.GetValue<string>();

        await BackingServers.StopRedisAsync();
        try
        {
            using var response = await client.PostAsJsonAsync("/v1/reservations", new { agentId = agent, model = "gpt-4o", inputTokens = 10, maxOutputTokens = 10 });
            var problem = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("budget_unavailable", problem["code"]!.GetValue<string>());
            Assert.Contains("Redis", problem["detail"]!.GetValue<string>());

            // Settling cannot happen now either: 503 (not 500), so the Router keeps retrying it.
            using var commit = await client.PostAsJsonAsync($"/v1/reservations/{pendingId}/commit", new { inputTokens = 1000, outputTokens = 500 });
            Assert.Equal(HttpStatusCode.ServiceUnavailable, commit.StatusCode);
            using var status = await client.GetAsync($"/v1/budgets/{agent}");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, status.StatusCode);
        }
        finally
        {
            await BackingServers.StartRedisAsync();
        }

        await WaitForRedisAsync(service);
        using (var retried = await client.PostAsJsonAsync($"/v1/reservations/{pendingId}/commit", new { inputTokens = 1000, outputTokens = 500 }))
        {
            Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        }

        await ReserveAndCommitAsync(client, agent);
        Assert.Equal(0.015m, (await service.GetBudgetAsync(agent))["spentUsd"]!.GetValue<decimal>());
    }

    [Fact]
    public async Task With_fail_open_calls_go_through_while_redis_is_down_and_their_spend_is_counted_once_it_is_back()
    {
        await using var service = new BudgetServiceFactory { Settings = { ["Budget:FailOpen"] = "true" } };
        await service.InitializeAsync();
        var agent = NewId("open");
        await service.SetLimitAsync(agent, 1m);
        var client = service.CreateClient();
        await ReserveAndCommitAsync(client, agent);

        await BackingServers.StopRedisAsync();
        try
        {
            // Unchecked while Redis is down: the reservation is handed out, and its commit goes straight to the ledger.
            await ReserveAndCommitAsync(client, agent);
        }
        finally
        {
            await BackingServers.StartRedisAsync();
        }

        await WaitForRedisAsync(service);
        // Back: the sweeper rebuilds the counters from the ledger, which holds the unchecked call's cost.
        var spent = 0m;
        for (var i = 0; i < 50 && spent != 0.015m; i++)
        {
            await Task.Delay(100);
            using var status = await client.GetAsync($"/v1/budgets/{agent}");
            spent = status.IsSuccessStatusCode ? (await status.Content.ReadFromJsonAsync<JsonObject>())!["spentUsd"]!.GetValue<decimal>() : 0m;
        }

        Assert.Equal(0.015m, spent);
        await ReserveAndCommitAsync(client, agent);
        Assert.Equal(0.0225m, (await service.GetBudgetAsync(agent))["spentUsd"]!.GetValue<decimal>());
        Assert.Equal(22_500_000, await service.LedgerTotalNanosAsync(agent));
    }

    private static async Task WaitForRedisAsync(BudgetServiceFactory service)
    {
        var redis = (IConnectionMultiplexer)service.Services.GetService(typeof(IConnectionMultiplexer))!;
        for (var i = 0; i < 100 && !redis.IsConnected; i++)
        {
            await Task.Delay(100);
        }
    }
}
