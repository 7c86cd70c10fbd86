using IronAspire.Testing;

namespace IronAspire.Analytics.Tests;

/// <summary>Outages of the broker or of the Analytics service itself lose nothing.</summary>
public sealed class FaultTests
{
    [Fact]
    public async Task RabbitMq_stopped_mid_run_still_counts_exactly_n()
    {
        var run = IngestionTests.Unique("mq");
        await using var analytics = await (await AnalyticsServiceFactory.CreateAsync(run)).StartedAsync();
        await using var publisher = await TestPublisher.StartAsync();
        var client = analytics.CreateClient();
        var events = new TestEvents(run);
        var query = $"?projectId=proj-{run}";

        for (var i = 0; i < 200; i++)
        {
            await PublishCallAsync(publisher, events, i);
        }

        await client.WaitForRequestsAsync(query, 200, TimeSpan.FromSeconds(120));

        await BackingServers.StopRabbitMqAsync();
        try
        {
            // Publishing goes on during the outage, spread over ~12 s: nothing throws, everything waits in the buffer.
            for (var i = 200; i < 400; i++)
            {
                await PublishCallAsync(publisher, events, i);
                await Task.Delay(60);
            }

            Assert.True(publisher.Events.Pending > 0, "events published during the outage wait in the buffer");
            var health = await client.GetAsync("/health");
            Assert.False(health.IsSuccessStatusCode, "the messaging health check reports the outage");
            Assert.True((await client.GetAsync("/alive")).IsSuccessStatusCode, "the service itself stays alive");
        }
        finally
        {
            await BackingServers.StartRabbitMqAsync();
        }

        for (var i = 400; i < 500; i++)
        {
            await PublishCallAsync(publisher, events, i);
        }

        var summary = await client.WaitForRequestsAsync(query, 500, TimeSpan.FromSeconds(120));
        Assert.Equal(500, summary.Requests);
        Assert.Equal(events.Failed.Count, summary.Failures);
        Assert.Equal(events.CostUsd, summary.CostUsd);
        // The broker's confirm of the last event can reach the publisher just after the consumer stored it.
        for (var i = 0; i < 100 && publisher.Events.Pending > 0; i++)
        {
            await Task.Delay(100);
        }

        Assert.Equal(0, publisher.Events.Pending);
    }

    [Fact]
    public async Task Analytics_restarted_mid_run_loses_nothing()
    {
        var run = IngestionTests.Unique("restart");
        var first = await (await AnalyticsServiceFactory.CreateAsync(run)).StartedAsync();
        await using var publisher = await TestPublisher.StartAsync();
        var events = new TestEvents(run);
        var query = $"?projectId=proj-{run}";

        // The publisher keeps going while the service goes down and comes back; the durable queue holds the messages.
        var publishing = Task.Run(async () =>
        {
            for (var i = 0; i < 600; i++)
            {
                await PublishCallAsync(publisher, events, i);
                await Task.Delay(10);
            }
        });

        await first.CreateClient().WaitForRequestsAsync(query, 100, TimeSpan.FromSeconds(120));
        await first.DisposeAsync();
        await Task.Delay(TimeSpan.FromSeconds(2));

        await using var second = await first.Restart().StartedAsync();
        await publishing;
        var summary = await second.CreateClient().WaitForRequestsAsync(query, 600, TimeSpan.FromSeconds(120));
        Assert.Equal(600, summary.Requests);
        Assert.Equal(events.Failed.Count, summary.Failures);
        Assert.Equal(events.InputTokens, summary.InputTokens);
        Assert.Equal(events.CostUsd, summary.CostUsd);
    }

    [Fact]
    public async Task Service_starts_without_a_broker_and_buffers()
    {
        var run = IngestionTests.Unique("nobroker");
        var closedPort = System.Net.Sockets.TcpListener.Create(0);
        closedPort.Start();
        var port = ((System.Net.IPEndPoint)closedPort.LocalEndpoint).Port;
        closedPort.Stop();
        var nowhere = $"amqp://guest:guest@127.0.0.1:{port}";

        await using var analytics = (await AnalyticsServiceFactory.CreateAsync(run)).WithBroker(nowhere).Started();
        await using var publisher = await TestPublisher.StartAsync(nowhere);
        var client = analytics.CreateClient();
        var events = new TestEvents(run);
        var published = 0;
        for (var i = 0; i < 20; i++)
        {
            published += events.Call(i).Count;
        }

        foreach (var e in events.Completed.Cast<IronAspire.Contracts.Events.IIronAspireEvent>().Concat(events.Failed).Concat(events.Pii))
        {
            await IngestionTests.Publish(publisher, e);
        }

        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(published, publisher.Events.Pending);
        Assert.False((await client.GetAsync("/health")).IsSuccessStatusCode);
        Assert.True((await client.GetAsync("/alive")).IsSuccessStatusCode);
        // Queries still answer from PostgreSQL.
        Assert.Equal(0, (await client.SummaryAsync($"?projectId=proj-{run}")).Requests);
    }

    [Fact]
    public async Task Stopping_a_publisher_with_publishes_in_flight_never_hangs()
    {
        // Cancelling one publish during MassTransit's one-time topology setup once left a concurrent publish (and so
        // the host's shutdown) waiting for ever. Each round is a fresh bus whose first publishes race that setup.
        var events = new TestEvents(IngestionTests.Unique("stop"));
        var settings = new Dictionary<string, string?> { ["EventBus:ShutdownFlushTimeout"] = "00:00:00" };
        for (var round = 0; round < 40; round++)
        {
            var publisher = await TestPublisher.StartAsync(settings: settings);
            foreach (var e in events.Call(round * 3).Concat(events.Call(round * 3 + 1)).Concat(events.Call(round * 3 + 2)))
            {
                await IngestionTests.Publish(publisher, e);
            }

            // Stop at a different moment of the bus's start each round: waiting for the connection, declaring, confirming.
            await Task.Delay(round * 7 % 160);
            var stopping = publisher.DisposeAsync().AsTask();
            var finished = await Task.WhenAny(stopping, Task.Delay(TimeSpan.FromSeconds(20)));
            Assert.True(finished == stopping, $"round {round}: the publisher's host did not stop within 20 s");
            await stopping;
        }
    }

    private static async Task PublishCallAsync(TestPublisher publisher, TestEvents events, int i)
    {
        foreach (var e in events.Call(i))
        {
            await IngestionTests.Publish(publisher, e);
        }
    }
}
