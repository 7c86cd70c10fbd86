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
        await Parallel.ForEachAsync(Enumerable.Range(0, 200), new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (i, _) =>
        {
            var (status, body) = await ReserveAsync(agents[i % 20], 1000, 1000, project: project);
            if (status == HttpStatusCode.PaymentRequired)
            {
                Assert.Equal("budget_exceeded", body["code"]!.GetValue<string>());
                Interlocked.Increment(ref refused);
                return;
            }

            Assert.Equal(HttpStatusCode.Created, status);
            var (commitStatus, result) = await CommitAsync(body["reservationId"]!.GetValue<string>(), 1000, 600 + (i % 5) * 100);
            Assert.Equal(HttpStatusCode.OK, commitStatus);
            committed.Add(result!["costUsd"]!.GetValue<decimal>());
        });

        var budget = await service.GetBudgetAsync(project, "projects");
        var spent = budget["spentUsd"]!.GetValue<decimal>();
        Assert.True(spent <= projectLimit, $"spent {spent} > limit {projectLimit}");
        Assert.Equal(committed.Sum(), spent);
        Assert.Equal(0m, budget["reservedUsd"]!.GetValue<decimal>());
        Assert.True(refused > 100, $"only {refused} refused");
        Assert.True(committed.Count >= 45, $"only {committed.Count} calls fit");
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
        Assert.Equal(HttpStatusCode.OK, second.Status);
        Assert.True(second.Body!["alreadySettled"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.OK, release.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.Status);
        Assert.Equal(first.Body!["costUsd"]!.GetValue<decimal>(), (await service.GetBudgetAsync(agent))["spentUsd"]!.GetValue<decimal>());
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
