using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace IronAspire.Budget.Tests;

public class ReservationTests(BudgetServiceFactory service) : IClassFixture<BudgetServiceFactory>
{
    private static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..24];

    private async Task<(HttpStatusCode Status, JsonObject Body)> ReserveAsync(string agent, long inputTokens = 100, long maxOutput = 100, string model = "gpt-4o-mini", string? project = null, int? ttl = null)
    {
        using var response = await service.CreateClient().PostAsJsonAsync("/v1/reservations", new { agentId = agent, projectId = project, model, inputTokens, maxOutputTokens = maxOutput, ttlSeconds = ttl });
        return (response.StatusCode, (await response.Content.ReadFromJsonAsync<JsonObject>())!);
    }

    private async Task<(HttpStatusCode Status, JsonObject? Body)> CommitAsync(string reservationId, long input, long output, long cached = 0)
    {
        using var response = await service.CreateClient().PostAsJsonAsync($"/v1/reservations/{reservationId}/commit", new { inputTokens = input, outputTokens = output, cachedInputTokens = cached });
        return (response.StatusCode, response.Content.Headers.ContentLength == 0 ? null : await response.Content.ReadFromJsonAsync<JsonObject>());
    }

    [Fact]
    public async Task Two_hundred_concurrent_calls_from_twenty_agents_never_overspend_a_shared_project_budget()
    {
        var project = NewId("proj");
        var agents = Enumerable.Range(0, 20).Select(_ => NewId("agent")).ToArray();
        // gpt-4o-mini: 1000 in + 1000 out reserve 0.00075 USD; actual use is 1000 in + 600..1000 out. 200 calls; the project fits ~50.
        const decimal projectLimit = 0.0375m;
        await service.SetLimitAsync(project, projectLimit, scope: "projects");
        foreach (var agent in agents)
        {
            await service.SetLimitAsync(agent, 1m);
        }

        var committed = new ConcurrentBag<decimal>();
        var refused = 0;
        var abandoned = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, 200), new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (i, _) =>
        {
            // Every tenth caller "crashes" after reserving: its reservation must come back at its (short) deadline.
            var crashes = i % 10 == 0;
            var (status, body) = await ReserveAsync(agents[i % 20], 1000, 1000, project: project, ttl: crashes ? 1 : null);
            if (status == HttpStatusCode.PaymentRequired)
            {
                Assert.Equal("budget_exceeded", body["code"]!.GetValue<string>());
                Assert.True(body["spentUsd"]!.GetValue<decimal>() + body["reservedUsd"]!.GetValue<decimal>() <= body["limitUsd"]!.GetValue<decimal>());
                Interlocked.Increment(ref refused);
                return;
            }

            Assert.Equal(HttpStatusCode.Created, status);
            if (crashes)
            {
                Interlocked.Increment(ref abandoned);
                return;
            }

            var (commitStatus, result) = await CommitAsync(body["reservationId"]!.GetValue<string>(), 1000, 600 + (i % 5) * 100);
            Assert.Equal(HttpStatusCode.OK, commitStatus);
            committed.Add(result!["costUsd"]!.GetValue<decimal>());
        });

        var budget = await service.GetBudgetAsync(project, "projects");
        var spent = budget["spentUsd"]!.GetValue<decimal>();
        Assert.True(spent <= projectLimit, $"spent {spent} > limit {projectLimit}");
        Assert.Equal(committed.Sum(), spent);
        Assert.True(refused > 100, $"only {refused} refused");
        Assert.True(committed.Count + abandoned >= 45, $"only {committed.Count + abandoned} calls fit");
        Assert.Equal(200, refused + abandoned + committed.Count);

        // The crashed callers' reservations are released by the sweeper after their deadline: nothing stays held.
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (budget["reservedUsd"]!.GetValue<decimal>() != 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
            budget = await service.GetBudgetAsync(project, "projects");
        }

        Assert.Equal(0m, budget["reservedUsd"]!.GetValue<decimal>());
        Assert.Equal(spent, budget["spentUsd"]!.GetValue<decimal>());
        foreach (var agent in agents)
        {
            Assert.Equal(0m, (await service.GetBudgetAsync(agent))["reservedUsd"]!.GetValue<decimal>());
        }

        // Every committed cost reached the PostgreSQL ledger, once.
        long ledgerNanos = 0;
        foreach (var agent in agents)
        {
            ledgerNanos += await service.LedgerTotalNanosAsync(agent);
        }

        Assert.Equal(spent, ledgerNanos / 1_000_000_000m);
    }

    [Fact]
    public async Task An_agent_calling_until_refused_uses_at_least_95_percent_of_its_limit()
    {
        var agent = NewId("util");
        await service.SetLimitAsync(agent, 0.05m);
        var calls = 0;
        while (true)
        {
            // A typical mock-provider call: ~30 input tokens bounded by 200, 48 output tokens bounded by 64.
            var (status, body) = await ReserveAsync(agent, 200, 64);
            if (status == HttpStatusCode.PaymentRequired)
            {
                break;
            }

            await CommitAsync(body["reservationId"]!.GetValue<string>(), 30, 48);
            calls++;
        }

        var budget = await service.GetBudgetAsync(agent);
        Assert.True(budget["spentUsd"]!.GetValue<decimal>() >= 0.95m * 0.05m, $"spent {budget["spentUsd"]} after {calls} calls");
        Assert.True(budget["spentUsd"]!.GetValue<decimal>() <= 0.05m);
    }

    [Fact]
    public async Task Commit_and_release_are_idempotent_and_an_unknown_reservation_is_404()
    {
        var agent = NewId("idem");
        await service.SetLimitAsync(agent, 1m);
        var (_, body) = await ReserveAsync(agent);
        var id = body["reservationId"]!.GetValue<string>();

        var first = await CommitAsync(id, 50, 50);
        var second = await CommitAsync(id, 50, 50);
        using var release = await service.CreateClient().DeleteAsync($"/v1/reservations/{id}");
        var unknown = await CommitAsync("res_unknown", 1, 1);

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.False(first.Body!["alreadySettled"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.OK, second.Status);
        Assert.True(second.Body!["alreadySettled"]!.GetValue<bool>());
        foreach (var field in new[] { "costUsd", "spentUsd", "remainingUsd" })
        {
            Assert.Equal(first.Body![field]!.GetValue<decimal>(), second.Body![field]!.GetValue<decimal>());
        }

        Assert.Equal(HttpStatusCode.OK, release.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.Status);
        Assert.Equal("reservation_not_found", unknown.Body!["code"]!.GetValue<string>());
        Assert.Equal(first.Body!["costUsd"]!.GetValue<decimal>(), (await service.GetBudgetAsync(agent))["spentUsd"]!.GetValue<decimal>());

        // A second release of a released reservation changes nothing either.
        var (_, other) = await ReserveAsync(agent);
        var otherId = other["reservationId"]!.GetValue<string>();
        using var release1 = await service.CreateClient().DeleteAsync($"/v1/reservations/{otherId}");
        using var release2 = await service.CreateClient().DeleteAsync($"/v1/reservations/{otherId}");
        Assert.False((await release1.Content.ReadFromJsonAsync<JsonObject>())!["alreadySettled"]!.GetValue<bool>());
        Assert.True((await release2.Content.ReadFromJsonAsync<JsonObject>())!["alreadySettled"]!.GetValue<bool>());
        var budget = await service.GetBudgetAsync(agent);
        Assert.Equal(0m, budget["reservedUsd"]!.GetValue<decimal>());
        Assert.Equal(first.Body!["costUsd"]!.GetValue<decimal>(), budget["spentUsd"]!.GetValue<decimal>());
    }

    [Fact]
    public async Task A_commit_after_expiry_is_410_and_after_release_409_and_the_cost_is_still_spent()
    {
        var agent = NewId("late");
        await service.SetLimitAsync(agent, 1m);
        var (_, expiring) = await ReserveAsync(agent, 1000, 1000, ttl: 1);
        var (_, released) = await ReserveAsync(agent, 1000, 1000);
        var expiringId = expiring["reservationId"]!.GetValue<string>();
        var releasedId = released["reservationId"]!.GetValue<string>();
        using (await service.CreateClient().DeleteAsync($"/v1/reservations/{releasedId}"))
        {
        }

        await WaitUntilAsync(async () => (await service.GetBudgetAsync(agent))["reservedUsd"]!.GetValue<decimal>() == 0);
        var afterExpiry = await CommitAsync(expiringId, 1000, 500);
        var afterExpiryAgain = await CommitAsync(expiringId, 1000, 500);
        var afterRelease = await CommitAsync(releasedId, 1000, 100);

        Assert.Equal(HttpStatusCode.Gone, afterExpiry.Status);
        Assert.Equal("reservation_expired", afterExpiry.Body!["code"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Gone, afterExpiryAgain.Status);
        Assert.True(afterExpiryAgain.Body!["alreadySettled"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.Conflict, afterRelease.Status);
        Assert.Equal("reservation_released", afterRelease.Body!["code"]!.GetValue<string>());
        // gpt-4o-mini: 1000 × 0.15 + 500 × 0.60 = 450 micro-USD; 1000 × 0.15 + 100 × 0.60 = 210 micro-USD.
        Assert.Equal(0.00045m, afterExpiry.Body!["costUsd"]!.GetValue<decimal>());
        Assert.Equal(0.00066m, (await service.GetBudgetAsync(agent))["spentUsd"]!.GetValue<decimal>());
        Assert.Equal(660_000, await service.LedgerTotalNanosAsync(agent));
    }

    [Fact]
    public async Task A_retried_reservation_with_the_same_request_id_is_held_once()
    {
        var agent = NewId("retry");
        await service.SetLimitAsync(agent, 1m);
        var request = new { agentId = agent, model = "gpt-4o", inputTokens = 1000, maxOutputTokens = 1000, requestId = "req-1" };

        using var first = await service.CreateClient().PostAsJsonAsync("/v1/reservations", request);
        using var second = await service.CreateClient().PostAsJsonAsync("/v1/reservations", request);
        var a = (await first.Content.ReadFromJsonAsync<JsonObject>())!;
        var b = (await second.Content.ReadFromJsonAsync<JsonObject>())!;

        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.Equal(a["reservationId"]!.GetValue<string>(), b["reservationId"]!.GetValue<string>());
        Assert.Equal(a["expiresAt"]!.GetValue<DateTimeOffset>(), b["expiresAt"]!.GetValue<DateTimeOffset>());
        // gpt-4o: 1000 × 2.50 + 1000 × 10.00 = 12,500 micro-USD, held once.
        Assert.Equal(0.0125m, (await service.GetBudgetAsync(agent))["reservedUsd"]!.GetValue<decimal>());
    }

    [Fact]
    public async Task Bad_usage_is_400_with_the_field_named()
    {
        var agent = NewId("badusage");
        await service.SetLimitAsync(agent, 1m);
        var (_, body) = await ReserveAsync(agent);
        var id = body["reservationId"]!.GetValue<string>();

        var negative = await CommitAsync(id, -1, 10);
        var cachedAboveInput = await CommitAsync(id, 10, 10, cached: 11);
        using var malformed = await service.CreateClient().PostAsync($"/v1/reservations/{id}/commit", new StringContent("{not json", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, negative.Status);
        Assert.True(negative.Body!["errors"]!.AsObject().ContainsKey("inputTokens"));
        Assert.Equal(HttpStatusCode.BadRequest, cachedAboveInput.Status);
        Assert.True(cachedAboveInput.Body!["errors"]!.AsObject().ContainsKey("cachedInputTokens"));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal("application/problem+json", malformed.Content.Headers.ContentType?.MediaType);
        // Nothing was settled by the bad requests.
        Assert.Equal(HttpStatusCode.OK, (await CommitAsync(id, 10, 10)).Status);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 50 && !await condition(); i++)
        {
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task Raising_the_limit_unblocks_the_agent_at_once()
    {
        var agent = NewId("raise");
        await service.SetLimitAsync(agent, 0.0001m);
        Assert.Equal(HttpStatusCode.PaymentRequired, (await ReserveAsync(agent, 1000, 1000)).Status);

        await service.SetLimitAsync(agent, 1m);

        Assert.Equal(HttpStatusCode.Created, (await ReserveAsync(agent, 1000, 1000)).Status);
    }

    [Fact]
    public async Task An_expired_reservation_is_released_by_the_sweeper()
    {
        var agent = NewId("expire");
        await service.SetLimitAsync(agent, 1m);
        await ReserveAsync(agent, 1000, 1000, ttl: 1);
        Assert.True((await service.GetBudgetAsync(agent))["reservedUsd"]!.GetValue<decimal>() > 0);

        var released = false;
        for (var i = 0; i < 40 && !released; i++)
        {
            await Task.Delay(100);
            released = (await service.GetBudgetAsync(agent))["reservedUsd"]!.GetValue<decimal>() == 0;
        }

        Assert.True(released, "the reservation was released after its deadline");
    }

    [Fact]
    public async Task Thresholds_are_reported_once_each_and_exhaustion_once()
    {
        var agent = NewId("thresh");
        // 100 in + 100 out of gpt-4o-mini = 0.000075 USD: exactly 13 calls fit.
        await service.SetLimitAsync(agent, 0.000975m);
        for (var i = 0; i < 20; i++)
        {
            var (status, body) = await ReserveAsync(agent, 100, 100);
            if (status != HttpStatusCode.Created)
            {
                break;
            }

            await CommitAsync(body["reservationId"]!.GetValue<string>(), 100, 100);
        }

        var (again, _) = await ReserveAsync(agent, 100, 100);
        var events = (await service.CreateClient().GetFromJsonAsync<JsonArray>("/v1/budget-events"))!
            .Where(e => e!["data"]!["budgetId"]?.GetValue<string>() == agent).ToList();
        var thresholds = events.Where(e => e!["type"]!.GetValue<string>() == "BudgetThresholdCrossed").Select(e => e!["data"]!["thresholdPercent"]!.GetValue<int>()).ToList();

        Assert.Equal(HttpStatusCode.PaymentRequired, again);
        Assert.Equal([50, 80, 100], thresholds.Order());
        Assert.Single(events, e => e!["type"]!.GetValue<string>() == "BudgetExhausted");
        Assert.All(events, e => Assert.Equal("lifetime", e!["data"]!["period"]!.GetValue<string>()));

        // Doubling the limit puts 80 and 100 % out of reach again (50 % is still crossed): they are reported anew when reached.
        await service.SetLimitAsync(agent, 0.00195m);
        for (var i = 0; i < 20; i++)
        {
            var (status, body) = await ReserveAsync(agent, 100, 100);
            if (status != HttpStatusCode.Created)
            {
                break;
            }

            await CommitAsync(body["reservationId"]!.GetValue<string>(), 100, 100);
        }

        var after = (await service.CreateClient().GetFromJsonAsync<JsonArray>("/v1/budget-events"))!
            .Where(e => e!["data"]!["budgetId"]?.GetValue<string>() == agent && e!["type"]!.GetValue<string>() == "BudgetThresholdCrossed")
            .Select(e => e!["data"]!["thresholdPercent"]!.GetValue<int>()).ToList();
        Assert.Equal([50, 80, 80, 100, 100], after.Order());
    }

    [Theory]
    [InlineData("""{"agentId":"","model":"gpt-4o","inputTokens":1,"maxOutputTokens":1}""", "agentId")]
    [InlineData("""{"agentId":"a","model":"gpt-4o","inputTokens":-1,"maxOutputTokens":1}""", "inputTokens")]
    [InlineData("""{"agentId":"a","model":"","inputTokens":1,"maxOutputTokens":1}""", "model")]
    public async Task Bad_reservations_are_400_with_the_field_named(string body, string field)
    {
        using var response = await service.CreateClient().PostAsync("/v1/reservations", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var problem = (await response.Content.ReadFromJsonAsync<JsonObject>())!;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(problem["errors"]!.AsObject().ContainsKey(field));
    }

    [Fact]
    public async Task A_model_without_a_price_is_refused_because_its_cost_cannot_be_bounded()
    {
        var agent = NewId("price");
        await service.SetLimitAsync(agent, 1m);

        var (status, body) = await ReserveAsync(agent, model: "some-unpriced-model");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("unknown_model_price", body["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task Dated_snapshots_are_priced_as_their_family_and_an_invalid_limit_is_400()
    {
        var agent = NewId("snap");
        await service.SetLimitAsync(agent, 1m);
        Assert.Equal(HttpStatusCode.Created, (await ReserveAsync(agent, model: "gpt-4o-2024-08-06")).Status);

        using var response = await service.CreateClient().PutAsJsonAsync($"/v1/budgets/{agent}", new { limitUsd = -5, period = "weekly" });
        var problem = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(problem["errors"]!.AsObject().ContainsKey("limitUsd"));
        Assert.True(problem["errors"]!.AsObject().ContainsKey("period"));
    }

    [Fact]
    public async Task An_agent_without_a_budget_is_refused()
    {
        var (status, body) = await ReserveAsync(NewId("nobudget"));

        Assert.Equal(HttpStatusCode.PaymentRequired, status);
        Assert.Equal("budget_exceeded", body["code"]!.GetValue<string>());
    }
}
