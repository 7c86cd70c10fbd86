using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace IronAspire.Budget.Tests;

/// <summary>
/// Issue 13: no endpoint answers without the admin or the service key (an agent on the machine must not raise its own
/// budget), and input that could never be stored is a 400 naming the field before anything is reserved.
/// </summary>
public class HardeningTests(BudgetServiceFactory service) : IClassFixture<BudgetServiceFactory>
{
    private static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..24];

    private HttpClient ClientWith(string? key)
    {
        var client = service.CreateClient();
        client.DefaultRequestHeaders.Authorization = key is null ? null : new("Bearer", key);
        return client;
    }

    [Theory]
    [InlineData(null)]
    [InlineData("ia_an-agent-key-0123456789")]
    [InlineData(BudgetServiceFactory.ServiceKey + "x")]
    public async Task Without_the_admin_or_service_key_every_endpoint_is_401(string? key)
    {
        var agent = NewId("auth");
        using var client = ClientWith(key);

        using var put = await client.PutAsJsonAsync($"/v1/budgets/{agent}", new { limitUsd = 1_000_000m });
        Assert.Equal(HttpStatusCode.Unauthorized, put.StatusCode);
        Assert.Equal("application/problem+json", put.Content.Headers.ContentType!.MediaType);
        foreach (var path in new[] { $"/v1/budgets/{agent}", "/v1/prices", "/v1/budget-events", "/openapi/v1.json" })
        {
            using var get = await client.GetAsync(path);
            Assert.Equal(HttpStatusCode.Unauthorized, get.StatusCode);
        }

        using var reserve = await client.PostAsJsonAsync("/v1/reservations", new { agentId = agent, model = "gpt-4o", inputTokens = 1, maxOutputTokens = 1 });
        Assert.Equal(HttpStatusCode.Unauthorized, reserve.StatusCode);

        // The limit was not written: with the service key the agent still has no budget.
        using var check = await service.CreateClient().GetAsync($"/v1/budgets/{agent}");
        Assert.Equal(HttpStatusCode.NotFound, check.StatusCode);
        // Probes stay open: they reveal only a status word.
        using var health = await client.GetAsync("/alive");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Theory]
    [InlineData(BudgetServiceFactory.AdminKey)]
    [InlineData(BudgetServiceFactory.ServiceKey)]
    public async Task The_admin_key_and_the_service_key_are_accepted(string key)
    {
        var agent = NewId("auth");
        using var client = ClientWith(key);
        using var put = await client.PutAsJsonAsync($"/v1/budgets/{agent}", new { limitUsd = 1m });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
    }

    [Fact]
    public async Task A_limit_without_limitUsd_is_a_400_not_a_limit_of_zero()
    {
        var agent = NewId("nolimit");
        using var client = service.CreateClient();
        using var put = await client.PutAsJsonAsync($"/v1/budgets/{agent}", new { period = "daily" });
        var problem = (await put.Content.ReadFromJsonAsync<JsonObject>())!;

        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.NotNull(problem["errors"]!["limitUsd"]);
        using var check = await client.GetAsync($"/v1/budgets/{agent}");
        Assert.Equal(HttpStatusCode.NotFound, check.StatusCode);
    }

    [Theory]
    [InlineData("model", "gpt-4o\u0000")]
    [InlineData("requestId", "req\u0000x")]
    [InlineData("requestId", "req\u001bx")]
    [InlineData("agentId", "a\u0085b")]
    public async Task Control_characters_in_ids_and_models_are_400s_and_nothing_is_reserved(string field, string value)
    {
        var agent = NewId("ctl");
        using var client = service.CreateClient();
        await service.SetLimitAsync(agent, 1m);
        var body = new Dictionary<string, object> { ["agentId"] = agent, ["model"] = "gpt-4o", ["inputTokens"] = 10, ["maxOutputTokens"] = 10 };
        body[field] = value;

        using var reserve = await client.PostAsJsonAsync("/v1/reservations", body);
        var problem = (await reserve.Content.ReadFromJsonAsync<JsonObject>())!;

        Assert.Equal(HttpStatusCode.BadRequest, reserve.StatusCode);
        Assert.NotNull(problem["errors"]![field]);
        Assert.Equal(0m, (await service.GetBudgetAsync(agent))["reservedUsd"]!.GetValue<decimal>());
    }

    [Theory]
    [InlineData("""{"limitUsd":1,"limitUsd":1000000}""")]
    [InlineData("""{"limitUsd":1,"period":"\ud800"}""")]
    public async Task Duplicate_keys_and_unpaired_surrogates_are_400s(string json)
    {
        var agent = NewId("dup");
        using var client = service.CreateClient();
        using var put = await client.PutAsync($"/v1/budgets/{agent}", new StringContent(json, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        using var check = await client.GetAsync($"/v1/budgets/{agent}");
        Assert.Equal(HttpStatusCode.NotFound, check.StatusCode);
    }
}

/// <summary>Issue 13: an outbox entry PostgreSQL can never store is set aside, and the costs behind it still reach the ledger.</summary>
[Collection(RedisOutageCollection.Name)]
public class PoisonLedgerEntryTests
{
    [Fact]
    public async Task An_entry_postgres_refuses_is_dead_lettered_and_the_ones_behind_it_reach_the_ledger()
    {
        await using var service = new BudgetServiceFactory();
        await service.InitializeAsync();
        var agent = $"poison-{Guid.NewGuid():N}"[..24];
        var poisonId = "res_poison_" + Guid.NewGuid().ToString("N");
        await service.SetLimitAsync(agent, 1m);

        // As if an older Router had let a NUL through: the commit script appended it, PostgreSQL refuses it (22021).
        using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(await IronAspire.Testing.BackingServers.RedisAsync());
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        await redis.GetDatabase().StreamAddAsync(IronAspire.Budget.Budgets.BudgetKeys.LedgerOutbox,
        [
            new("r", poisonId), new("a", agent), new("p", ""), new("m", "gpt-4o\0"), new("i", "1"), new("c", "0"), new("w", "0"),
            new("o", "1"), new("cost", "1000"), new("ac", "ctr"), new("pc", ""), new("t", now),
        ]);

        using var client = service.CreateClient();
        using var reserve = await client.PostAsJsonAsync("/v1/reservations", new { agentId = agent, model = "gpt-4o", inputTokens = 1000, maxOutputTokens = 1000 });
        var id = (await reserve.Content.ReadFromJsonAsync<JsonObject>())!["reservationId"]!.GetValue<string>();
        using var commit = await client.PostAsJsonAsync($"/v1/reservations/{id}/commit", new { inputTokens = 1000, outputTokens = 500 });
        Assert.Equal(HttpStatusCode.OK, commit.StatusCode);

        var drained = Task.Run(() => service.LedgerTotalNanosAsync(agent));
        Assert.True(await Task.WhenAny(drained, Task.Delay(TimeSpan.FromSeconds(20))) == drained, "the ledger outbox never drained");
        Assert.Equal(7_500_000, await drained); // the good commit only: 1000 in x 2.5 + 500 out x 10 USD per million

        var dead = await redis.GetDatabase().StreamRangeAsync(IronAspire.Budget.Budgets.BudgetKeys.LedgerDeadLetters);
        var entry = Assert.Single(dead, e => (string?)e["r"] == poisonId);
        Assert.StartsWith("22", (string?)entry["error"]);
        Assert.DoesNotContain(await redis.GetDatabase().StreamRangeAsync(IronAspire.Budget.Budgets.BudgetKeys.LedgerOutbox), e => (string?)e["r"] == poisonId);
    }
}
