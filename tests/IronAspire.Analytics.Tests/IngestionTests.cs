using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using IronAspire.Analytics.Data;
using IronAspire.Contracts.Analytics;
using IronAspire.Contracts.Events;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IronAspire.Analytics.Tests;

/// <summary>Events published through the real bus end up counted exactly once in PostgreSQL.</summary>
public sealed class IngestionTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Published_events_are_summarised_exactly()
    {
        var run = Unique("sum");
        await using var analytics = await (await AnalyticsServiceFactory.CreateAsync(run)).StartedAsync();
        await using var publisher = await TestPublisher.StartAsync();
        var events = new TestEvents(run);
        for (var i = 0; i < 300; i++)
        {
            foreach (var e in events.Call(i))
            {
                await Publish(publisher, e);
            }
        }

        var client = analytics.CreateClient();
        var query = $"?projectId=proj-{run}";
        // PII events travel on their own queue; wait for them too.
        var summary = await client.WaitForCallsAsync(query, events.Requests, events.PiiByType.Values.Sum(), Timeout);

        Assert.Equal(300, summary.Requests);
        Assert.Equal(events.Failed.Count, summary.Failures);
        Assert.Equal(events.InputTokens, summary.InputTokens);
        Assert.Equal(events.CachedInputTokens, summary.CachedInputTokens);
        Assert.Equal(events.OutputTokens, summary.OutputTokens);
        Assert.Equal(events.CostUsd, summary.CostUsd);
        Assert.Equal(events.PiiByType.OrderBy(kv => kv.Key), summary.PiiDetections.OrderBy(kv => kv.Key));

        // percentile_cont over completed calls, as PostgreSQL interpolates it.
        var latencies = events.Completed.Select(e => e.LatencyMs).Order().ToArray();
        Assert.Equal(Percentile(latencies, 0.5), summary.LatencyMs.P50!.Value, 6);
        Assert.Equal(Percentile(latencies, 0.95), summary.LatencyMs.P95!.Value, 6);
        Assert.Equal(Percentile(latencies, 0.99), summary.LatencyMs.P99!.Value, 6);

        var agents = await client.GetFromJsonAsync<List<AgentUsage>>("/v1/analytics/agents" + query);
        Assert.Equal(3, agents!.Count);
        foreach (var agent in agents)
        {
            var completed = events.Completed.Where(e => e.AgentId == agent.AgentId).ToList();
            var failed = events.Failed.Where(e => e.AgentId == agent.AgentId).ToList();
            Assert.Equal(completed.Count + failed.Count, agent.Requests);
            Assert.Equal(failed.Count, agent.Failures);
            Assert.Equal(completed.Sum(e => e.CostUsd), agent.CostUsd);
            Assert.Equal(events.Pii.Where(p => p.AgentId == agent.AgentId).Sum(p => p.CountsByType.Values.Sum()), agent.PiiDetections.Values.Sum());
        }

        var models = await client.GetFromJsonAsync<List<ModelUsage>>("/v1/analytics/models" + query);
        Assert.Equal(TestEvents.Models.Order(), models!.Select(m => m.Model).Order());
        foreach (var model in models!)
        {
            Assert.Equal(events.Completed.Count(e => e.Model == model.Model) + events.Failed.Count(e => e.Model == model.Model), model.Requests);
            var piiForModel = events.Pii.Where(p => events.Completed.Any(c => c.RequestId == p.RequestId && c.Model == model.Model)
                || events.Failed.Any(f => f.RequestId == p.RequestId && f.Model == model.Model));
            Assert.Equal(piiForModel.Sum(p => p.CountsByType.Values.Sum()), model.PiiDetections.Values.Sum());
        }

        var byModel = await client.SummaryAsync($"{query}&model=gpt-4o&provider=openai");
        Assert.Equal(events.Completed.Count(e => e.Model == "gpt-4o") + events.Failed.Count(e => e.Model == "gpt-4o"), byModel.Requests);

        var series = await client.GetFromJsonAsync<List<UsagePoint>>($"/v1/analytics/timeseries{query}&bucket=minute");
        Assert.Equal(300, series!.Sum(p => p.Requests));
        Assert.Equal(events.CostUsd, series!.Sum(p => p.CostUsd));
    }

    [Fact]
    public async Task Rate_limit_refusals_are_counted_per_agent_and_the_serving_model_is_stored()
    {
        var run = Unique("rl");
        await using var analytics = await (await AnalyticsServiceFactory.CreateAsync(run)).StartedAsync();
        await using var publisher = await TestPublisher.StartAsync();
        var now = DateTimeOffset.UtcNow;
        var paced = run + "-paced";
        IIronAspireEvent[] published =
        [
            new LlmRequestFailed(Guid.NewGuid(), run + "-1", paced, "proj-" + run, "", "gpt-4o", 0, 0, 0, 0m, 1, null, false, 429, "rate_limit_exceeded", now),
            new LlmRequestFailed(Guid.NewGuid(), run + "-2", paced, "proj-" + run, "", "gpt-4o", 0, 0, 0, 0m, 1, null, false, 429, "rate_limit_exceeded", now),
            new LlmRequestFailed(Guid.NewGuid(), run + "-3", paced, "proj-" + run, "mock-openai", "gpt-4o", 0, 0, 0, 0m, 1, null, false, 502, "upstream_error", now),
            new LlmRequestCompleted(Guid.NewGuid(), run + "-4", run + "-other", "proj-" + run, "mock-anthropic", "gpt-4o",
                10, 0, 5, 0.0001m, 20, 5, false, 200, now, ServingModel: "claude-sonnet-4"),
        ];
        foreach (var e in published)
        {
            await Publish(publisher, e);
        }

        var client = analytics.CreateClient();
        var summary = await client.WaitForRequestsAsync($"?projectId=proj-{run}", 4, Timeout);
        Assert.Equal(3, summary.Failures);
        Assert.Equal(2, summary.RateLimited);

        var agents = await client.GetFromJsonAsync<List<AgentUsage>>($"/v1/analytics/agents?projectId=proj-{run}");
        Assert.Equal(2, agents!.Single(a => a.AgentId == paced).RateLimited);
        Assert.Equal(0, agents!.Single(a => a.AgentId == run + "-other").RateLimited);

        await using var scope = analytics.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AnalyticsDbContext>();
        var served = await db.LlmRequests.SingleAsync(r => r.RequestId == run + "-4");
        Assert.Equal("gpt-4o", served.Model);
        Assert.Equal("claude-sonnet-4", served.ServingModel);
        Assert.Null((await db.LlmRequests.SingleAsync(r => r.RequestId == run + "-3")).ServingModel);
        Assert.Equal(2, await db.DailyUsage.Where(d => d.AgentId == paced).SumAsync(d => d.RateLimited));
    }

    [Fact]
    public async Task An_event_postgres_can_never_store_is_set_aside_and_the_rest_of_its_batch_is_stored()
    {
        var run = Unique("poison");
        var deadLettered = 0L;
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "ironaspire.analytics.events.dead_lettered")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref deadLettered, value));
        listener.Start();

        await using var analytics = await (await AnalyticsServiceFactory.CreateAsync(run)).StartedAsync();
        await using var publisher = await TestPublisher.StartAsync();
        var events = new TestEvents(run);
        var good = Enumerable.Range(0, 20).Select(i => events.Call(i).OfType<LlmRequestCompleted>().FirstOrDefault())
            .OfType<LlmRequestCompleted>().ToList();
        // A NUL in the agent id: PostgreSQL refuses it (22021) however often it is retried.
        var poison = good[0] with { EventId = Guid.NewGuid(), AgentId = "agent\u0000x" };
        await publisher.Events.PublishAsync(poison);
        foreach (var e in good)
        {
            await publisher.Events.PublishAsync(e);
        }

        var client = analytics.CreateClient();
        // Well within the minute of retries after which the old consumer dead-lettered the whole batch.
        var summary = await client.WaitForRequestsAsync($"?projectId=proj-{run}", good.Count, TimeSpan.FromSeconds(20));

        Assert.Equal(good.Count, summary.Requests);
        Assert.Equal(good.Sum(e => e.CostUsd), summary.CostUsd);
        for (var i = 0; i < 100 && Interlocked.Read(ref deadLettered) == 0; i++)
        {
            await Task.Delay(100);
        }

        Assert.Equal(1, Interlocked.Read(ref deadLettered));
    }

    [Fact]
    public async Task The_same_event_delivered_twice_is_counted_once()
    {
        var run = Unique("dup");
        await using var analytics = await (await AnalyticsServiceFactory.CreateAsync(run)).StartedAsync();
        await using var publisher = await TestPublisher.StartAsync();
        var events = new TestEvents(run);
        var all = Enumerable.Range(0, 100).SelectMany(i => events.Call(i)).ToList();
        // Each event twice: once in order, once again later, as a redelivery or a publisher retry would.
        foreach (var e in all.Concat(all))
        {
            await Publish(publisher, e);
        }

        var client = analytics.CreateClient();
        var query = $"?projectId=proj-{run}";
        await client.WaitForRequestsAsync(query, events.Requests, Timeout);
        await publisher.Events.FlushAsync();
        // Give the second copies time to arrive; they must not change anything.
        await Task.Delay(TimeSpan.FromSeconds(2));
        var summary = await client.SummaryAsync(query);

        Assert.Equal(100, summary.Requests);
        Assert.Equal(events.Failed.Count, summary.Failures);
        Assert.Equal(events.CostUsd, summary.CostUsd);
        Assert.Equal(events.PiiByType.OrderBy(kv => kv.Key), summary.PiiDetections.OrderBy(kv => kv.Key));
        Assert.Equal(100, await Scalar(analytics, $"SELECT sum(requests)::bigint FROM daily_usage WHERE project_id = 'proj-{run}'"));
    }

    [Fact]
    public async Task Budget_circuit_and_agent_events_are_stored_once()
    {
        var run = Unique("gov");
        await using var analytics = await (await AnalyticsServiceFactory.CreateAsync(run)).StartedAsync();
        await using var publisher = await TestPublisher.StartAsync();
        var now = DateTimeOffset.UtcNow;
        IIronAspireEvent[] published =
        [
            new BudgetThresholdCrossed(Guid.NewGuid(), BudgetScope.Agent, run + "-a", 80, 8m, 10m, "daily", now),
            new BudgetExhausted(Guid.NewGuid(), BudgetScope.Project, run + "-p", 10m, 10m, "daily", now),
            new CircuitStateChanged(Guid.NewGuid(), run + "-provider", "Open", "5 failures", now),
            new AgentStateChanged(Guid.NewGuid(), run + "-a", "demo", "Running", 42, null, null, now),
        ];
        foreach (var e in published.Concat(published))
        {
            await Publish(publisher, e);
        }

        var client = analytics.CreateClient();
        List<GovernanceEventEntry>? stored = null;
        var deadline = DateTime.UtcNow + Timeout;
        while (DateTime.UtcNow < deadline)
        {
            stored = await client.GetFromJsonAsync<List<GovernanceEventEntry>>("/v1/analytics/events");
            if (stored!.Count(e => e.Subject.StartsWith(run, StringComparison.Ordinal)) >= 4)
            {
                break;
            }

            await Task.Delay(200);
        }

        await Task.Delay(TimeSpan.FromSeconds(1));
        stored = await client.GetFromJsonAsync<List<GovernanceEventEntry>>("/v1/analytics/events");
        var mine = stored!.Where(e => e.Subject.StartsWith(run, StringComparison.Ordinal)).ToList();
        Assert.Equal(published.Select(e => e.EventId).Order(), mine.Select(e => e.EventId).Order());
        var circuit = Assert.Single(mine, e => e.Type == nameof(CircuitStateChanged));
        Assert.Equal("Open", circuit.Payload.GetProperty("state").GetString());
        var exhausted = await client.GetFromJsonAsync<List<GovernanceEventEntry>>("/v1/analytics/events?type=BudgetExhausted");
        Assert.All(exhausted!, e => Assert.Equal(nameof(BudgetExhausted), e.Type));
    }

    [Fact]
    public async Task A_call_is_one_trace_from_publisher_to_consumer()
    {
        var run = Unique("trace");
        var consumed = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "MassTransit" or "IronAspire.EventBus",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.Kind == ActivityKind.Consumer)
                {
                    lock (consumed)
                    {
                        consumed.Add(activity);
                    }
                }
            },
        };
        ActivitySource.AddActivityListener(listener);

        await using var analytics = await (await AnalyticsServiceFactory.CreateAsync(run)).StartedAsync();
        await using var publisher = await TestPublisher.StartAsync();
        using var call = new Activity("router call").Start();
        var events = new TestEvents(run);
        await Publish(publisher, events.Call(1)[0]);
        call.Stop();

        await analytics.CreateClient().WaitForRequestsAsync($"?projectId=proj-{run}", 1, Timeout);
        await Task.Delay(500);
        lock (consumed)
        {
            Assert.Contains(consumed, a => a.TraceId == call.TraceId);
        }
    }

    internal static async Task Publish(TestPublisher publisher, IIronAspireEvent e)
    {
        switch (e)
        {
            case LlmRequestCompleted c: await publisher.Events.PublishAsync(c); break;
            case LlmRequestFailed f: await publisher.Events.PublishAsync(f); break;
            case PiiDetected p: await publisher.Events.PublishAsync(p); break;
            case BudgetThresholdCrossed b: await publisher.Events.PublishAsync(b); break;
            case BudgetExhausted b: await publisher.Events.PublishAsync(b); break;
            case CircuitStateChanged c: await publisher.Events.PublishAsync(c); break;
            case AgentStateChanged a: await publisher.Events.PublishAsync(a); break;
            default: throw new ArgumentException(e.GetType().Name);
        }
    }

    internal static string Unique(string prefix) => $"{prefix}{Guid.NewGuid():N}"[..16];

    internal static async Task<long> Scalar(AnalyticsServiceFactory analytics, string sql)
    {
        using var scope = analytics.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<AnalyticsDbContext>();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        var value = await command.ExecuteScalarAsync();
        return value is DBNull or null ? 0 : Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static double Percentile(double[] sorted, double p)
    {
        var rank = p * (sorted.Length - 1);
        var lower = (int)Math.Floor(rank);
        var upper = (int)Math.Ceiling(rank);
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (rank - lower);
    }
}
