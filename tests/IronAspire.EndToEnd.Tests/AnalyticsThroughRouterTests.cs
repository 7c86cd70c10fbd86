using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IronAspire.Contracts.Agents;
using IronAspire.Pii;
using IronAspire.Pii.Policies;
using StackExchange.Redis;

namespace IronAspire.EndToEnd.Tests;

/// <summary>
/// Every call through the Router becomes an event that Analytics stores exactly once: N calls (two models, some
/// failing upstream, some with PII) → the summary reports N requests, the failures, the PII counts by type, and the
/// cost the Budget service charged.
/// </summary>
[Collection(IronAspireAppCollection.Name)]
public class AnalyticsThroughRouterTests(IronAspireAppFixture fixture)
{
    [Fact]
    public async Task N_calls_through_the_router_are_summarised_exactly_and_cost_what_the_budget_charged()
    {
        var agentId = "analytics-" + Guid.NewGuid().ToString("N")[..8];
        var key = await fixture.RegisterAgentKeyAsync(agentId);
        await using (var redis = await ConnectionMultiplexer.ConnectAsync(await fixture.App.ConnectionStringAsync("cache")))
        {
            await new PiiPolicyStore(redis).SetAgentAsync(agentId, new PiiPolicy { Request = new() { [PiiEntityTypes.EmailAddress] = PiiAction.Redact } });
        }

        await Task.Delay(1100); // the Router sees a new policy within a second
        using var router = fixture.App.CreateHttpClient("router");
        const int calls = 20;
        var expectedFailures = 0;
        for (var i = 0; i < calls; i++)
        {
            var model = i % 2 == 0 ? "gpt-4o-mini" : "claude-haiku-4-5";
            var path = model.StartsWith("gpt", StringComparison.Ordinal) ? "/v1/chat/completions" : "/v1/messages";
            var text = i % 4 == 0 ? $"write to person{i}@example.com please" : "hello there";
            using var request = new HttpRequestMessage(HttpMethod.Post, path)
            {
                Content = JsonContent.Create(new { model, max_tokens = 32, messages = new[] { new { role = "user", content = text } } }),
            };
            request.Headers.Authorization = new("Bearer", key);
            if (i % 5 == 3)
            {
                // The provider fails (not retried: 400 is the caller's fault): a failed call, billed nothing.
                request.Headers.Add("x-mock-fault", "status:400");
                expectedFailures++;
            }

            using var response = await router.SendAsync(request);
            Assert.Equal(i % 5 == 3 ? HttpStatusCode.BadRequest : HttpStatusCode.OK, response.StatusCode);
        }

        using var budget = fixture.CreateOperatorClient("budget");
        var summary = await fixture.WaitForSummaryAsync(agentId, calls);

        var spent = (await budget.GetFromJsonAsync<JsonObject>($"/v1/budgets/{agentId}"))!["spentUsd"]!.GetValue<decimal>();
        Assert.Equal(calls, summary["requests"]!.GetValue<long>());
        Assert.Equal(expectedFailures, summary["failures"]!.GetValue<long>());
        Assert.Equal(spent, summary["costUsd"]!.GetValue<decimal>());
        Assert.True(summary["outputTokens"]!.GetValue<long>() > 0);
        Assert.Equal(5, summary["piiDetections"]!["EMAIL_ADDRESS"]!.GetValue<long>());
    }
}
