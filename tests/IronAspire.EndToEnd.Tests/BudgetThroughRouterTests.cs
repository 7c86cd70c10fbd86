using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IronAspire.Contracts.Agents;
using StackExchange.Redis;

namespace IronAspire.EndToEnd.Tests;

/// <summary>
/// Hard budgets across the whole path: the Router reserves and settles against Redis with the Budget service's scripts,
/// falls back to the Budget service when Redis has lost the budget state, and forwards to the MockProvider.
/// </summary>
[Collection(IronAspireAppCollection.Name)]
public class BudgetThroughRouterTests(IronAspireAppFixture fixture)
{
    private static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..24];

    /// <summary>Registers agent keys the way the control plane does: SHA-256 hashes in Redis.</summary>
    private async Task<string> RegisterAgentAsync(string agentId, string? projectId, decimal budgetUsd)
    {
        var key = await fixture.RegisterAgentKeyAsync(agentId, projectId);
        using var budget = fixture.CreateOperatorClient("budget");
        (await budget.PutAsJsonAsync($"/v1/budgets/{agentId}", new { limitUsd = budgetUsd })).EnsureSuccessStatusCode();
        return key;
    }

    private async Task<HttpResponseMessage> ChatAsync(HttpClient router, string key, int maxTokens = 100)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent($$"""{"model":"gpt-4o-mini","max_tokens":{{maxTokens}},"messages":[{"role":"user","content":"Tell me something."}]}""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", key);
        return await router.SendAsync(request);
    }

    [Fact]
    public async Task Two_hundred_concurrent_calls_from_twenty_agents_sharing_a_project_never_overspend()
    {
        var project = NewId("proj");
        using (var budget = fixture.CreateOperatorClient("budget"))
        {
            // A call here reserves ~0.00008 USD (its worst case): about a quarter of 200 calls fit at once.
            (await budget.PutAsJsonAsync($"/v1/projects/{project}/budget", new { limitUsd = 0.004m })).EnsureSuccessStatusCode();
        }

        var agents = new List<(string Id, string Key)>();
        for (var i = 0; i < 20; i++)
        {
            var id = NewId("agent");
            agents.Add((id, await RegisterAgentAsync(id, project, 1m)));
        }

        using var router = fixture.App.CreateHttpClient("router");
        var statuses = new ConcurrentBag<HttpStatusCode>();
        var refusals = new ConcurrentBag<JsonNode>();
        await Parallel.ForEachAsync(Enumerable.Range(0, 200), new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (i, _) =>
        {
            using var response = await ChatAsync(router, agents[i % 20].Key);
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.PaymentRequired)
            {
                refusals.Add(JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
            }
        });

        var projectState = await fixture.WaitSettledAsync($"/v1/projects/{project}/budget");
        var agentSpent = 0m;
        foreach (var agent in agents)
        {
            agentSpent += (await fixture.WaitSettledAsync($"/v1/budgets/{agent.Id}"))["spentUsd"]!.GetValue<decimal>();
        }

        var spent = projectState["spentUsd"]!.GetValue<decimal>();
        Assert.True(spent <= 0.004m, $"spent {spent} exceeds the limit");
        Assert.Equal(agentSpent, spent);
        Assert.Equal(0m, projectState["reservedUsd"]!.GetValue<decimal>());
        Assert.All(statuses, s => Assert.True(s is HttpStatusCode.OK or HttpStatusCode.PaymentRequired, s.ToString()));
        Assert.True(statuses.Count(s => s == HttpStatusCode.OK) >= 45, "a good share of the calls fit");
        Assert.NotEmpty(refusals);
        Assert.All(refusals, r =>
        {
            Assert.Equal("budget_exceeded", r["error"]!["code"]!.GetValue<string>());
            Assert.Contains("spent", r["error"]!["message"]!.GetValue<string>());
            Assert.Contains("limit", r["error"]!["message"]!.GetValue<string>());
        });
    }

    [Fact]
    public async Task An_agent_calling_until_refused_spends_at_least_95_percent_and_sees_what_remains()
    {
        var agent = NewId("util");
        var key = await RegisterAgentAsync(agent, null, 0.002m);
        using var router = fixture.App.CreateHttpClient("router");
        var calls = 0;
        HttpResponseMessage response;
        while ((response = await ChatAsync(router, key)).StatusCode == HttpStatusCode.OK)
        {
            Assert.True(decimal.TryParse(response.Headers.GetValues("x-ironaspire-budget-remaining").Single(), System.Globalization.CultureInfo.InvariantCulture, out var remaining));
            Assert.InRange(remaining, 0m, 0.002m);
            response.Dispose();
            calls++;
            // Settlement runs after the response; give it a moment so the next reservation sees the real spend.
            await Task.Delay(5);
        }

        Assert.Equal(HttpStatusCode.PaymentRequired, response.StatusCode);
        var state = await fixture.WaitSettledAsync($"/v1/budgets/{agent}");
        var spent = state["spentUsd"]!.GetValue<decimal>();
        Assert.True(spent >= 0.95m * 0.002m, $"spent {spent} of 0.002 after {calls} calls");
        Assert.True(spent <= 0.002m);
    }

    [Fact]
    public async Task When_redis_lost_the_budget_state_the_budget_service_rebuilds_it_for_the_routers_call()
    {
        var agent = NewId("rebuild");
        var key = await RegisterAgentAsync(agent, null, 1m);
        using var router = fixture.App.CreateHttpClient("router");
        using (var first = await ChatAsync(router, key))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        var spentBefore = (await fixture.WaitSettledAsync($"/v1/budgets/{agent}"))["spentUsd"]!.GetValue<decimal>();
        Assert.True(spentBefore > 0);

        // As if Redis had come back empty for this agent: its counters and the store's marker are gone.
        await using var redis = await ConnectionMultiplexer.ConnectAsync(await fixture.App.ConnectionStringAsync("cache"));
        var db = redis.GetDatabase();
        var counter = IronAspire.Budget.Budgets.BudgetKeys.Counter("agent", agent, IronAspire.Budget.Budgets.BudgetPeriods.Key(IronAspire.Budget.Budgets.BudgetPeriod.Lifetime, DateTimeOffset.UtcNow));
        await db.KeyDeleteAsync([IronAspire.Budget.Budgets.BudgetKeys.Marker, counter]);

        // The Router's own reservation finds no marker and asks the Budget service, which rebuilds from the ledger.
        using (var second = await ChatAsync(router, key))
        {
            Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        }

        Assert.True(await db.KeyExistsAsync(IronAspire.Budget.Budgets.BudgetKeys.Marker), "the store was rebuilt");
        var spentAfter = (await fixture.WaitSettledAsync($"/v1/budgets/{agent}"))["spentUsd"]!.GetValue<decimal>();
        // The MockProvider answers the same prompt the same way, so both calls cost the same: the first call's cost came
        // back from the ledger, and nothing was counted twice.
        Assert.Equal(2 * spentBefore, spentAfter);
    }
}
