using System.Net;
using System.Net.Http.Json;
using IronAspire.Contracts.Analytics;
using IronAspire.Contracts.Events;
using static IronAspire.Analytics.Tests.IngestionTests;

namespace IronAspire.Analytics.Tests;

/// <summary>The operator console's queries: the call log (filters, paging, a call's details), per-group timeseries,
/// failures by error code and the governance events of one subject, against events sent through the real bus.</summary>
public sealed class CallLogTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task The_call_log_filters_pages_and_details_calls_and_the_breakdowns_add_up()
    {
        var run = Unique("calls");
        await using var analytics = await (await AnalyticsServiceFactory.CreateAsync(run)).StartedAsync();
        await using var publisher = await TestPublisher.StartAsync();
        var events = new TestEvents(run);
        // Whole seconds: PostgreSQL keeps microseconds, the range filter below compares exactly.
        var now = DateTimeOffset.UtcNow;
        var start = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, now.Second, TimeSpan.Zero).AddMinutes(-50);
        for (var i = 0; i < 60; i++)
        {
            // One call every 30 s over the last 50 minutes: distinct times, several minute buckets.
            foreach (var e in events.Call(i, start.AddSeconds(30 * i)))
            {
                await Publish(publisher, e);
            }
        }

        // Refusals, as the Router records them: budget and (from the rate limiter) rate limits.
        var refusals = new List<LlmRequestFailed>();
        for (var i = 0; i < 5; i++)
        {
            var code = i < 3 ? "budget_exceeded" : "rate_limit_exceeded";
            var refused = new LlmRequestFailed(Guid.NewGuid(), $"{run}-refused-{i}", events.Agent(0), "proj-" + run, "openai", "gpt-4o-mini",
                0, 0, 0, 0m, 1, null, false, code == "budget_exceeded" ? 402 : 429, code, start.AddSeconds(30 * i + 7));
            refusals.Add(refused);
            await Publish(publisher, refused);
        }

        var client = analytics.CreateClient();
        var query = $"?projectId=proj-{run}";
        var total = events.Requests + refusals.Count;
        var summary = await client.WaitForCallsAsync(query, total, events.PiiByType.Values.Sum(), Timeout);
        Assert.Equal(total, summary.Requests);

        // Paging: 7 a page, newest first, every call exactly once, a stable order.
        var seen = new List<CallEntry>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await client.GetFromJsonAsync<CallPage>($"/v1/analytics/calls{query}&limit=7" + (cursor is null ? "" : $"&cursor={cursor}"));
            Assert.True(page!.Items.Count <= 7);
            seen.AddRange(page.Items);
            cursor = page.Next;
            pages++;
        }
        while (cursor is not null && pages < 100);

        Assert.Equal(total, seen.Count);
        Assert.Equal(total, seen.Select(c => c.EventId).Distinct().Count());
        Assert.Equal(seen.OrderByDescending(c => c.Timestamp).ThenByDescending(c => c.EventId).Select(c => c.EventId), seen.Select(c => c.EventId));
        Assert.Equal((int)Math.Ceiling(total / 7.0), pages);

        var first = events.Completed[0];
        var entry = seen.Single(c => c.EventId == first.EventId);
        Assert.Equal((first.RequestId, first.AgentId, first.Model, first.Provider, first.InputTokens, first.OutputTokens, first.CostUsd, first.LatencyMs, false),
            (entry.RequestId, entry.AgentId, entry.Model, entry.Provider, entry.InputTokens, entry.OutputTokens, entry.CostUsd, entry.LatencyMs, entry.Failed));

        // Filters: status, error code, model, agent, time range.
        var failed = await client.GetFromJsonAsync<CallPage>($"/v1/analytics/calls{query}&status=failed&limit=1000");
        Assert.Equal(events.Failed.Count + refusals.Count, failed!.Items.Count);
        Assert.All(failed.Items, c => Assert.True(c.Failed));
        var completed = await client.GetFromJsonAsync<CallPage>($"/v1/analytics/calls{query}&status=completed&limit=1000");
        Assert.Equal(events.Completed.Count, completed!.Items.Count);
        var budget = await client.GetFromJsonAsync<CallPage>($"/v1/analytics/calls{query}&errorType=budget_exceeded&limit=1000");
        Assert.Equal(refusals.Where(r => r.ErrorType == "budget_exceeded").Select(r => r.EventId).Order(), budget!.Items.Select(c => c.EventId).Order());
        var byModel = await client.GetFromJsonAsync<CallPage>($"/v1/analytics/calls{query}&model=gpt-4o&provider=openai&limit=1000");
        Assert.Equal(events.Completed.Count(c => c.Model == "gpt-4o") + events.Failed.Count(c => c.Model == "gpt-4o"), byModel!.Items.Count);
        var byAgent = await client.GetFromJsonAsync<CallPage>($"/v1/analytics/calls?agentId={events.Agent(1)}&limit=1000");
        Assert.Equal(events.Completed.Count(c => c.AgentId == events.Agent(1)) + events.Failed.Count(c => c.AgentId == events.Agent(1)), byAgent!.Items.Count);
        var from = start.AddSeconds(30 * 10).ToString("o");
        var to = start.AddSeconds(30 * 20).ToString("o");
        var ranged = await client.GetFromJsonAsync<CallPage>($"/v1/analytics/calls{query}&from={Uri.EscapeDataString(from)}&to={Uri.EscapeDataString(to)}&limit=1000");
        Assert.Equal(10, ranged!.Items.Count);

        // A call's details: its PII counts by type, joined through the request id.
        var withPii = events.Pii.First(p => p.CountsByType.Count == 2);
        var call = events.Completed.Select(c => (c.EventId, c.RequestId)).Concat(events.Failed.Select(f => (f.EventId, f.RequestId)))
            .Single(c => c.RequestId == withPii.RequestId);
        var details = await client.GetFromJsonAsync<CallDetails>($"/v1/analytics/calls/{call.EventId}");
        Assert.Equal(withPii.RequestId, details!.Call.RequestId);
        Assert.Equal(withPii.CountsByType.OrderBy(kv => kv.Key).Select(kv => (kv.Key, (long)kv.Value)),
            details.PiiDetections.OrderBy(kv => kv.Key).Select(kv => (kv.Key, kv.Value)));
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/v1/analytics/calls/{Guid.NewGuid()}")).StatusCode);

        // Breakdown by model: per model the sums equal the published calls; by errorType only failures.
        var breakdown = await client.GetFromJsonAsync<List<BreakdownPoint>>($"/v1/analytics/timeseries/breakdown{query}&by=model&bucket=minute");
        foreach (var model in TestEvents.Models)
        {
            var ofModel = events.Completed.Where(c => c.Model == model).ToList();
            var failedOfModel = events.Failed.Count(f => f.Model == model) + refusals.Count(r => r.Model == model);
            Assert.Equal(ofModel.Count + failedOfModel, breakdown!.Where(p => p.Key == model).Sum(p => p.Requests));
            Assert.Equal(ofModel.Sum(c => c.CostUsd), breakdown!.Where(p => p.Key == model).Sum(p => p.CostUsd));
        }

        Assert.True(breakdown!.Select(p => p.Start).Distinct().Count() > 10, "one point per minute bucket");
        var byAgentSeries = await client.GetFromJsonAsync<List<BreakdownPoint>>($"/v1/analytics/timeseries/breakdown{query}&by=agent&bucket=hour&from={Uri.EscapeDataString(start.AddHours(-1).ToString("o"))}");
        Assert.Equal(3, byAgentSeries!.Select(p => p.Key).Distinct().Count());
        Assert.Equal(total, byAgentSeries!.Sum(p => p.Requests));
        var byError = await client.GetFromJsonAsync<List<BreakdownPoint>>($"/v1/analytics/timeseries/breakdown{query}&by=errorType");
        Assert.Equal(["budget_exceeded", "rate_limit_exceeded", "upstream_error"], byError!.Select(p => p.Key).Distinct().Order().ToArray());
        Assert.Equal(events.Failed.Count + refusals.Count, byError!.Sum(p => p.Failures));

        // Failures by code: counted generically, whatever codes the Router records.
        var failures = await client.GetFromJsonAsync<List<FailureCount>>($"/v1/analytics/failures{query}");
        Assert.Equal(
            new[] { ("budget_exceeded", 3L), ("rate_limit_exceeded", 2L), ("upstream_error", (long)events.Failed.Count) }.OrderBy(f => f.Item1),
            failures!.Select(f => (f.ErrorType, f.Failures)).OrderBy(f => f.Item1));
    }

    [Fact]
    public async Task Governance_events_are_filtered_by_subject()
    {
        var run = Unique("subj");
        await using var analytics = await (await AnalyticsServiceFactory.CreateAsync(run)).StartedAsync();
        await using var publisher = await TestPublisher.StartAsync();
        var agent = run + "-agent";
        var now = DateTimeOffset.UtcNow;
        await Publish(publisher, new AgentStateChanged(Guid.NewGuid(), agent, "bot", "Starting", null, null, null, now.AddSeconds(-3)));
        await Publish(publisher, new AgentStateChanged(Guid.NewGuid(), agent, "bot", "Running", 42, null, null, now.AddSeconds(-2)));
        await Publish(publisher, new AgentStateChanged(Guid.NewGuid(), run + "-other", "other", "Running", 43, null, null, now.AddSeconds(-1)));
        await Publish(publisher, new BudgetThresholdCrossed(Guid.NewGuid(), BudgetScope.Agent, agent, 80, 0.8m, 1m, "total", now));

        var client = analytics.CreateClient();
        List<GovernanceEventEntry> mine = [];
        var deadline = DateTime.UtcNow + Timeout;
        while (mine.Count < 3 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
            mine = (await client.GetFromJsonAsync<List<GovernanceEventEntry>>($"/v1/analytics/events?subject={agent}"))!;
        }

        Assert.Equal(["BudgetThresholdCrossed", "AgentStateChanged", "AgentStateChanged"], mine.Select(e => e.Type).ToArray());
        Assert.All(mine, e => Assert.Equal(agent, e.Subject));
        var states = await client.GetFromJsonAsync<List<GovernanceEventEntry>>($"/v1/analytics/events?subject={agent}&type=AgentStateChanged");
        Assert.Equal(["Running", "Starting"], states!.Select(e => e.Payload.GetProperty("state").GetString() ?? "").ToArray());
    }
}
