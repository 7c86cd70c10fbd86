using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IronAspire.Contracts.Events;
using IronAspire.Testing;

namespace IronAspire.Budget.Tests;

/// <summary>Threshold and exhaustion events reach a consumer over real RabbitMQ, once each.</summary>
public sealed class BudgetEventsOnTheBusTests : IAsyncLifetime
{
    private readonly BudgetServiceFactory _service = new() { WithEventBus = true };
    private readonly ConcurrentQueue<BudgetThresholdCrossed> _crossed = new();
    private readonly ConcurrentQueue<BudgetExhausted> _exhausted = new();
    private TestBus? _consumer;

    public async Task InitializeAsync()
    {
        await _service.InitializeAsync();
        _consumer = await TestBus.StartAsync(TestBus.Collect(_crossed), TestBus.Collect(_exhausted));
    }

    public async Task DisposeAsync()
    {
        await _consumer!.DisposeAsync();
        await _service.DisposeAsync();
    }

    [Fact]
    public async Task Each_threshold_and_exhaustion_is_published_once_per_period()
    {
        var agent = $"bus-{Guid.NewGuid():N}"[..24];
        var client = _service.CreateClient();
        // 100 in + 100 out of gpt-4o-mini = 0.000075 USD: exactly 10 calls fit a 0.00075 USD daily budget.
        await _service.SetLimitAsync(agent, 0.00075m, "daily");
        for (var i = 0; i < 12; i++)
        {
            using var reserve = await client.PostAsJsonAsync("/v1/reservations", new { agentId = agent, model = "gpt-4o-mini", inputTokens = 100, maxOutputTokens = 100 });
            if (reserve.StatusCode != HttpStatusCode.Created)
            {
                Assert.Equal(HttpStatusCode.PaymentRequired, reserve.StatusCode);
                continue;
            }

            var id = (await reserve.Content.ReadFromJsonAsync<JsonObject>())!["reservationId"]!.GetValue<string>();
            using var commit = await client.PostAsJsonAsync($"/v1/reservations/{id}/commit", new { inputTokens = 100, outputTokens = 100 });
            Assert.Equal(HttpStatusCode.OK, commit.StatusCode);
        }

        for (var i = 0; i < 100 && (_crossed.Count(e => e.BudgetId == agent) < 3 || !_exhausted.Any(e => e.BudgetId == agent)); i++)
        {
            await Task.Delay(100);
        }

        await Task.Delay(300); // a duplicate would arrive within this
        var crossed = _crossed.Where(e => e.BudgetId == agent).ToList();
        Assert.Equal([50, 80, 100], crossed.Select(e => e.ThresholdPercent).Order());
        Assert.All(crossed, e => Assert.Equal(BudgetScope.Agent, e.Scope));
        Assert.All(crossed, e => Assert.Equal(0.00075m, e.LimitUsd));
        Assert.All(crossed, e => Assert.Equal($"daily:{DateTime.UtcNow:yyyy-MM-dd}", e.Period));
        Assert.Equal(0.00075m, crossed.Single(e => e.ThresholdPercent == 100).SpentUsd);
        var exhausted = Assert.Single(_exhausted, e => e.BudgetId == agent);
        Assert.Equal(0.00075m, exhausted.SpentUsd);
    }
}
