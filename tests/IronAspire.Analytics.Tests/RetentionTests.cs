using IronAspire.Analytics.Retention;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace IronAspire.Analytics.Tests;

public sealed class RetentionTests
{
    [Fact]
    public async Task Retention_deletes_old_rows_but_the_totals_stay()
    {
        var run = IngestionTests.Unique("ret");
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var analytics = await (await AnalyticsServiceFactory.CreateAsync(run, time)).StartedAsync();
        await using var publisher = await TestPublisher.StartAsync();
        var client = analytics.CreateClient();
        var events = new TestEvents(run);
        var now = time.GetUtcNow();
        for (var i = 0; i < 100; i++)
        {
            foreach (var e in events.Call(i, i < 50 ? now.AddDays(-40) : now.AddHours(-1)))
            {
                await IngestionTests.Publish(publisher, e);
            }
        }

        var query = $"?projectId=proj-{run}";
        await client.WaitForRequestsAsync(query, 100, TimeSpan.FromSeconds(120));
        await publisher.Events.FlushAsync();
        await WaitForRawPiiAsync(analytics, run, events.Pii.Sum(p => p.CountsByType.Count));
        var before = await client.SummaryAsync(query);
        Assert.Equal(100, before.Requests);
        Assert.Equal(100, await RawRequests(analytics, run));

        var job = analytics.Services.GetRequiredService<RetentionJob>();
        Assert.True(await job.RunOnceAsync(CancellationToken.None) >= 50);

        Assert.Equal(50, await RawRequests(analytics, run));
        var after = await client.SummaryAsync(query);
        Assert.Equal(before.Requests, after.Requests);
        Assert.Equal(before.Failures, after.Failures);
        Assert.Equal(events.CostUsd, after.CostUsd);
        Assert.Equal(events.InputTokens, after.InputTokens);
        Assert.Equal(events.PiiByType.OrderBy(kv => kv.Key), after.PiiDetections.OrderBy(kv => kv.Key));

        // A range entirely before the horizon is answered from the daily aggregates, in whole days.
        var old = await client.SummaryAsync($"{query}&from={now.AddDays(-41):o}&to={now.AddDays(-39):o}".Replace("+", "%2B", StringComparison.Ordinal));
        Assert.Equal(50, old.Requests);
        Assert.Null(old.LatencyMs.P50);

        // A month later the recent calls are old too; the totals still hold.
        time.Advance(TimeSpan.FromDays(31));
        await job.RunOnceAsync(CancellationToken.None);
        Assert.Equal(0, await RawRequests(analytics, run));
        var later = await client.SummaryAsync(query);
        Assert.Equal(100, later.Requests);
        Assert.Equal(events.CostUsd, later.CostUsd);
    }

    private static Task<long> RawRequests(AnalyticsServiceFactory analytics, string run) =>
        IngestionTests.Scalar(analytics, $"SELECT count(*) FROM llm_requests WHERE project_id = 'proj-{run}'");

    private static async Task WaitForRawPiiAsync(AnalyticsServiceFactory analytics, string run, int rows)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await IngestionTests.Scalar(analytics, $"SELECT count(*) FROM pii_detections WHERE project_id = 'proj-{run}'") < rows && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }
    }
}
