using IronAspire.Contracts.Events;

namespace IronAspire.Analytics.Tests;

/// <summary>The Router's batched calls (<see cref="CallEventBatch"/>): stored per call, each call counted once however often it arrives.</summary>
public sealed class CallEventBatchTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task A_redelivered_batch_and_a_call_repeated_in_another_batch_are_counted_once_per_call()
    {
        var run = IngestionTests.Unique("batch");
        await using var analytics = await (await AnalyticsServiceFactory.CreateAsync(run)).StartedAsync();
        await using var publisher = await TestPublisher.StartAsync();
        var events = new TestEvents(run);
        var calls = Enumerable.Range(0, 40).Select(i => AsCall(events.Call(i))).ToList();

        // Batch A twice (a redelivery), batch B with two of A's calls again plus its own, single events of older Routers.
        var a = new CallEventBatch(Guid.NewGuid(), calls[..30], DateTimeOffset.UtcNow);
        var b = new CallEventBatch(Guid.NewGuid(), [calls[3], calls[7], .. calls[30..38]], DateTimeOffset.UtcNow);
        await publisher.Events.PublishAsync(a);
        await publisher.Events.PublishAsync(a with { EventId = Guid.NewGuid() });
        await publisher.Events.PublishAsync(b);
        foreach (var e in events.Completed.Cast<IIronAspireEvent>().Concat(events.Failed).Concat(events.Pii)
                     .Where(e => calls[38..].Any(c => Ids(c).Contains(e.EventId))))
        {
            await IngestionTests.Publish(publisher, e);
        }

        var client = analytics.CreateClient();
        var query = $"?projectId=proj-{run}";
        await client.WaitForCallsAsync(query, 40, events.PiiByType.Values.Sum(), Timeout);

        // Give a late duplicate the time to be (wrongly) counted before reading the final figures.
        await Task.Delay(1000);
        var summary = await client.SummaryAsync(query);
        Assert.Equal(40, summary.Requests);
        Assert.Equal(events.Failed.Count, summary.Failures);
        Assert.Equal(events.InputTokens, summary.InputTokens);
        Assert.Equal(events.OutputTokens, summary.OutputTokens);
        Assert.Equal(events.CostUsd, summary.CostUsd);
        Assert.Equal(events.PiiByType.OrderBy(kv => kv.Key), summary.PiiDetections.OrderBy(kv => kv.Key));
        Assert.Equal(40, await IngestionTests.Scalar(analytics, $"SELECT count(*) FROM llm_requests WHERE project_id = 'proj-{run}'"));
        // The daily aggregates agree with the rows: nothing was added twice to them either.
        Assert.Equal(40, await IngestionTests.Scalar(analytics, $"SELECT sum(requests)::bigint FROM daily_usage WHERE project_id = 'proj-{run}'"));
    }

    private static CallEvents AsCall(IReadOnlyList<IIronAspireEvent> events) => new(
        events.OfType<LlmRequestCompleted>().SingleOrDefault(),
        events.OfType<LlmRequestFailed>().SingleOrDefault(),
        events.OfType<PiiDetected>().ToList());

    private static HashSet<Guid> Ids(CallEvents call) =>
    [
        .. new[] { call.Completed?.EventId, call.Failed?.EventId }.OfType<Guid>(),
        .. call.PiiDetected.Select(p => p.EventId),
    ];
}
