extern alias analyticsservice;
using System.Collections.Concurrent;
using System.Net;
using IronAspire.Contracts.Events;
using IronAspire.Testing;
using Microsoft.AspNetCore.Mvc.Testing;

namespace IronAspire.Router.Tests;

/// <summary>
/// The calls' events leave the Router in batches (one broker message per batch, each call with its own events and
/// ids): split across a broker outage, left partial by a stopping Router, they still reach Analytics once per call.
/// </summary>
public sealed class CallEventBatchTests : IAsyncLifetime
{
    private const string AdminKey = "batch-test-admin-key";
    private readonly string _name = "batch" + Guid.NewGuid().ToString("N")[..8];
    private MockProviderHost _mock = null!;
    private WebApplicationFactory<analyticsservice::Program> _analytics = null!;

    public async Task InitializeAsync()
    {
        _analytics = await AnalyticsServiceHost.StartAsync(_name, AdminKey);
        _mock = await MockProviderHost.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _mock.DisposeAsync();
        await _analytics.DisposeAsync();
    }

    private Task<RouterHost> StartRouterAsync(int batchSize, double flushIntervalMs)
    {
        var settings = RouterHost.OpenAIAndAnthropic(_mock.Url);
        settings["Router:DemoAgent:AgentId"] = _name;
        settings["Router:Events:BatchSize"] = batchSize.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Router:Events:FlushIntervalMs"] = flushIntervalMs.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["EventBus:ShutdownFlushTimeout"] = "00:00:30";
        settings["EventBus:PublishTimeout"] = "00:00:02";
        settings["EventBus:RetryMaxDelay"] = "00:00:01";
        return RouterHost.StartAsync(settings);
    }

    private static async Task CallAsync(RouterHost router, int calls)
    {
        var answers = await Task.WhenAll(Enumerable.Range(0, calls).Select(async _ =>
        {
            using var response = await router.PostAsync("/v1/chat/completions", RouterHost.Chat("gpt-4o-mini", maxTokens: 8));
            await response.Content.ReadAsStringAsync();
            return response.StatusCode;
        }));
        Assert.All(answers, status => Assert.Equal(HttpStatusCode.OK, status));
    }

    [Fact]
    public async Task Calls_leave_the_Router_in_batches_of_at_most_the_batch_size_each_call_with_its_own_events()
    {
        var batches = new ConcurrentQueue<CallEventBatch>();
        await using var bus = await TestBus.StartAsync(TestBus.Collect(batches));
        await using var router = await StartRouterAsync(batchSize: 8, flushIntervalMs: 200);
        await CallAsync(router, 40);

        var mine = new List<CallEventBatch>();
        for (var i = 0; i < 100 && mine.Sum(b => b.Calls.Count) < 40; i++)
        {
            await Task.Delay(100);
            mine = batches.Where(b => b.Calls.Any(c => c.Completed?.AgentId == _name)).ToList();
        }

        var calls = mine.SelectMany(b => b.Calls).ToList();
        Assert.Equal(40, calls.Count);
        Assert.All(mine, batch => Assert.InRange(batch.Calls.Count, 1, 8));
        Assert.InRange(mine.Count, 5, 39);
        Assert.Equal(40, calls.Select(c => c.Completed!.EventId).Distinct().Count());
        Assert.Equal(40, calls.Select(c => c.Completed!.RequestId).Distinct().Count());
        Assert.Equal(mine.Count, mine.Select(b => b.EventId).Distinct().Count());

        var summary = await _analytics.SummaryAsync(AdminKey, _name, 40);
        Assert.Equal(40, summary["requests"]!.GetValue<long>());
    }

    [Fact]
    public async Task Calls_whose_batches_are_split_across_a_broker_outage_are_each_stored_once()
    {
        var router = await StartRouterAsync(batchSize: 5, flushIntervalMs: 20);
        await using (router)
        {
            await CallAsync(router, 20);
            await BackingServers.StopRabbitMqAsync();
            try
            {
                // The Router keeps answering; its batches wait in the publisher's buffer, some half-sent when the broker went.
                await CallAsync(router, 23);
            }
            finally
            {
                await BackingServers.StartRabbitMqAsync();
            }

            await CallAsync(router, 20);
            var summary = await _analytics.SummaryAsync(AdminKey, _name, 63);
            Assert.Equal(63, summary["requests"]!.GetValue<long>());
        }

        // A publish retried after a lost confirm may reach the broker twice: still 63 after everything settled.
        await Task.Delay(2000);
        Assert.Equal(63, (await _analytics.SummaryAsync(AdminKey, _name, 64))["requests"]!.GetValue<long>());
    }

    [Fact]
    public async Task A_Router_stopped_with_a_partial_batch_publishes_it_before_it_ends()
    {
        // A batch nothing but the stop would flush: far from full, its interval a minute away.
        var router = await StartRouterAsync(batchSize: 1000, flushIntervalMs: 60_000);
        await CallAsync(router, 3);
        await Task.Delay(500);
        Assert.Equal(0, (await _analytics.SummaryAsync(AdminKey, _name, 0))["requests"]!.GetValue<long>());

        await router.DisposeAsync();
        var summary = await _analytics.SummaryAsync(AdminKey, _name, 3);
        Assert.Equal(3, summary["requests"]!.GetValue<long>());
    }
}
