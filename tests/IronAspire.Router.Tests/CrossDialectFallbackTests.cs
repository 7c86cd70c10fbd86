using System.ClientModel;
using System.ClientModel.Primitives;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IronAspire.Contracts.Events;
using IronAspire.MockProvider.Simulation;
using IronAspire.Testing;
using Microsoft.Extensions.DependencyInjection;
using OpenAI;
using OpenAI.Chat;

namespace IronAspire.Router.Tests;

/// <summary>
/// A fallback model served in the other API: a gpt-4o call falls back to claude-sonnet-4 (configured per model) when
/// the OpenAI provider fails and then when its circuit is open, translated both ways; the call's event names both models.
/// </summary>
public sealed class CrossDialectFallbackTests : IAsyncLifetime
{
    private MockProviderHost _mock = null!;
    private RouterHost _router = null!;
    private TestBus _bus = null!;
    private readonly ConcurrentQueue<LlmRequestCompleted> _events = new();

    /// <summary>This test's own demo agent: every Router under test publishes on the same bus.</summary>
    private readonly string _agentId = "fallback-" + Guid.NewGuid().ToString("N")[..12];

    private List<LlmRequestCompleted> Completed => _events.Where(e => e.AgentId == _agentId).ToList();

    public async Task InitializeAsync()
    {
        _mock = await MockProviderHost.StartAsync();
        var settings = RouterHost.OpenAIAndAnthropic(_mock.Url);
        settings["Router:ModelFallbacks:gpt-4o:0"] = "claude-sonnet-4";
        settings["Router:DemoAgent:AgentId"] = _agentId;
        settings["Router:Resilience:MaxRetries"] = "0";
        settings["Router:Resilience:MinimumThroughput"] = "2";
        settings["Router:Resilience:FailureRatio"] = "0.5";
        _bus = await TestBus.StartAsync(TestBus.CollectCalls(_events));
        _router = await RouterHost.StartAsync(settings);
    }

    public async Task DisposeAsync()
    {
        await _router.DisposeAsync();
        await _bus.DisposeAsync();
        await _mock.DisposeAsync();
    }

    [Fact]
    public async Task A_gpt_call_falls_back_to_a_claude_model_when_openai_fails_and_while_its_circuit_is_open()
    {
        // Only gpt-4o fails: the MockProvider's fault injection limited to that model.
        await _mock.SetFaultAsync(new FaultSettings { Status = 503, Models = ["gpt-4o"] });
        var chat = new ChatClient("gpt-4o", new ApiKeyCredential(RouterHost.AgentKey), new OpenAIClientOptions
        {
            Endpoint = new Uri(_router.Client.BaseAddress!, "/v1"),
            Transport = new HttpClientPipelineTransport(_router.CreateClient()),
            RetryPolicy = new ClientRetryPolicy(0),
        });

        for (var i = 0; i < 4; i++)
        {
            var completion = (await chat.CompleteChatAsync([new UserChatMessage("Say hello")], new ChatCompletionOptions { MaxOutputTokenCount = 32 })).Value;
            Assert.StartsWith("IronAspire mock provider here.", completion.Content[0].Text);
            Assert.Equal("claude-sonnet-4", completion.Model);
            Assert.True(completion.Usage.OutputTokenCount > 0);
        }

        var stats = (await _mock.Admin.GetFromJsonAsync<JsonObject>("/admin/stats"))!;
        // Two failures opened the OpenAI provider's circuit: the later calls went straight to the fallback.
        Assert.Equal(2, stats["byEndpointModel"]!["chat.completions"]!["gpt-4o"]!.GetValue<long>());
        Assert.Equal(4, stats["byEndpointModel"]!["messages"]!["claude-sonnet-4"]!.GetValue<long>());

        using var raw = await _router.PostAsync("/v1/chat/completions", RouterHost.Chat("gpt-4o"));
        Assert.Equal(HttpStatusCode.OK, raw.StatusCode);
        Assert.Equal("mock-anthropic", raw.Headers.GetValues("x-ironaspire-provider").Single());
        Assert.Equal("claude-sonnet-4", raw.Headers.GetValues("x-ironaspire-model").Single());

        // The recorded events name the requested model and the one that served it.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (Completed.Count < 5 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.Equal(5, Completed.Count);
        Assert.All(Completed, e =>
        {
            Assert.Equal("gpt-4o", e.Model);
            Assert.Equal("claude-sonnet-4", e.ServingModel);
            Assert.Equal("mock-anthropic", e.Provider);
        });
    }

    [Fact]
    public async Task A_fallback_model_is_budgeted_and_billed_at_its_own_price()
    {
        var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(await BackingServers.RedisAsync());
        await using (redis)
        {
            // This test process's own Redis: mark its budget counters as present, as the Budget service does at start.
            await redis.GetDatabase().StringSetAsync(IronAspire.Budget.Budgets.BudgetKeys.Marker, DateTimeOffset.UtcNow.ToString("O"));
        }

        var agentId = "fallback-billed-" + Guid.NewGuid().ToString("N")[..8];
        var settings = RouterHost.OpenAIAndAnthropic(_mock.Url);
        settings["Router:ModelFallbacks:gpt-4o:0"] = "claude-sonnet-4";
        settings["Router:DemoAgent:AgentId"] = agentId;
        settings["Router:Budget:Enabled"] = "true";
        // Required with budgets on (the Router's fallback to the Budget service sends it); this test never falls back.
        settings["IRONASPIRE_SERVICE_KEY"] = "fallback-tests-service-key";
        settings["Router:Resilience:MaxRetries"] = "0";
        settings["Budget:DefaultAgentLimitUsd"] = "10";
        await using var router = await RouterHost.StartAsync(settings);
        await _mock.SetFaultAsync(new FaultSettings { Status = 503, Models = ["gpt-4o"] });

        using var response = await router.PostAsync("/v1/chat/completions", RouterHost.Chat("gpt-4o", maxTokens: 32));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("claude-sonnet-4", response.Headers.GetValues("x-ironaspire-model").Single());
        var usage = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["usage"]!;
        long input = usage["prompt_tokens"]!.GetValue<long>(), output = usage["completion_tokens"]!.GetValue<long>();

        var store = router.Services.GetRequiredService<IronAspire.Budget.Budgets.BudgetStore>();
        IronAspire.Contracts.Budget.BudgetStatus? state = null;
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            state = await store.GetAsync("agent", agentId);
            if (state is { ReservedUsd: 0, SpentUsd: > 0 })
            {
                break;
            }

            await Task.Delay(100);
        }

        var prices = router.Services.GetRequiredService<IronAspire.Budget.Pricing.PriceTable>();
        var claude = prices.Find("claude-sonnet-4")!.CostNanos(input, 0, 0, output) / 1_000_000_000m;
        var gpt = prices.Find("gpt-4o")!.CostNanos(input, 0, 0, output) / 1_000_000_000m;
        Assert.NotEqual(gpt, claude);
        // The reservation made for gpt-4o was released; only the fallback's real cost is spent.
        Assert.Equal(0m, state!.ReservedUsd);
        Assert.Equal(claude, state.SpentUsd);
    }

    [Fact]
    public async Task Without_a_failure_the_requested_model_serves_and_the_event_has_no_serving_model()
    {
        await _mock.SetFaultAsync(null);
        using var response = await _router.PostAsync("/v1/chat/completions", RouterHost.Chat("gpt-4o"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("mock", response.Headers.GetValues("x-ironaspire-provider").Single());
        Assert.Equal("gpt-4o", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["model"]!.GetValue<string>());

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (Completed.Count == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        var recorded = Assert.Single(Completed);
        Assert.Null(recorded.ServingModel);
    }
}
