using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IronAspire.MockProvider.Simulation;

namespace IronAspire.MockProvider.Tests;

/// <summary>The admin API: faults set for the next requests (by model, for a count) and the stats tests read.</summary>
public class AdminApiTests : IAsyncLifetime
{
    // A fresh simulator per test: faults and stats are the state under test.
    private readonly SocketMockProviderFactory _factory = new();
    private HttpClient _admin = null!;

    public Task InitializeAsync()
    {
        _admin = _factory.Http();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _factory.DisposeAsync();
    }

    private async Task<HttpStatusCode> ChatAsync(string model)
    {
        using var response = await _factory.PostAsync("/v1/chat/completions", Bodies.Chat(model, maxTokens: 4));
        return response.StatusCode;
    }

    [Fact]
    public async Task A_status_fault_hits_only_the_listed_models_for_the_remaining_count()
    {
        using var put = await _admin.PutAsJsonAsync("/admin/faults", new FaultSettings(Status: 503, Models: ["model-a"], RemainingCount: 2, RetryAfterSeconds: 4));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        Assert.Equal(HttpStatusCode.OK, await ChatAsync("model-b"));
        using var first = await _factory.PostAsync("/v1/chat/completions", Bodies.Chat("model-a"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, first.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(4), first.Headers.RetryAfter!.Delta);
        Assert.Equal(1, (await _admin.GetFromJsonAsync<FaultSettings>("/admin/faults"))!.RemainingCount);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await ChatAsync("model-a"));
        Assert.Equal(HttpStatusCode.OK, await ChatAsync("model-a"));
        Assert.Equal(new FaultSettings(), await _admin.GetFromJsonAsync<FaultSettings>("/admin/faults"));
    }

    [Fact]
    public async Task Faults_apply_to_anthropic_requests_in_anthropic_format_and_stop_when_deleted()
    {
        await _admin.PutAsJsonAsync("/admin/faults", new FaultSettings(Status: 429));

        using var faulted = await _factory.PostAsync("/v1/messages", Bodies.Message("claude-admin"));
        using var deleted = await _admin.DeleteAsync("/admin/faults");
        using var healthy = await _factory.PostAsync("/v1/messages", Bodies.Message("claude-admin"));

        Assert.Equal(HttpStatusCode.TooManyRequests, faulted.StatusCode);
        Assert.Equal("rate_limit_error", JsonNode.Parse(await faulted.Content.ReadAsStringAsync())!["error"]!["type"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.OK, healthy.StatusCode);
    }

    [Fact]
    public async Task Admin_modes_drop_and_time_out_requests()
    {
        await _admin.PutAsJsonAsync("/admin/faults", new FaultSettings(Mode: FaultSettings.Drop, RemainingCount: 1));
        var dropped = await Assert.ThrowsAnyAsync<Exception>(() => ChatAsync("admin-drop"));
        Assert.True(dropped is HttpRequestException or IOException, dropped.GetType().Name);

        await _admin.PutAsJsonAsync("/admin/faults", new FaultSettings(Mode: FaultSettings.Timeout, RemainingCount: 1));
        using var client = _factory.Http();
        client.Timeout = TimeSpan.FromMilliseconds(300);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.PostAsync("/v1/chat/completions", new StringContent(Bodies.Chat("admin-timeout"))));

        Assert.Equal(HttpStatusCode.OK, await ChatAsync("after-faults"));
    }

    [Fact]
    public async Task An_admin_error_rate_of_one_fails_every_request_with_500_and_latency_slows_them()
    {
        await _admin.PutAsJsonAsync("/admin/faults", new FaultSettings(ErrorRate: 1, Models: ["always-fails"]));
        await _admin.PutAsJsonAsync("/admin/faults", new FaultSettings(ErrorRate: 1, LatencyMs: 250, Models: ["always-fails"]));

        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal(HttpStatusCode.InternalServerError, await ChatAsync("always-fails"));
        Assert.True(stopwatch.Elapsed >= TimeSpan.FromMilliseconds(240));
        Assert.Equal(HttpStatusCode.OK, await ChatAsync("other-model"));
    }

    [Theory]
    [InlineData("""{"mode":"explode"}""", "mode")]
    [InlineData("""{"status":42}""", "status")]
    [InlineData("""{"errorRate":1.5}""", "errorRate")]
    [InlineData("""{"remainingCount":0}""", "remainingCount")]
    [InlineData("""{"latencyMs":-5}""", "latencyMs")]
    public async Task Invalid_fault_settings_are_a_validation_problem_and_change_nothing(string json, string field)
    {
        using var response = await _admin.PutAsync("/admin/faults", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull(problem["errors"]![field]);
        Assert.Equal(new FaultSettings(), await _admin.GetFromJsonAsync<FaultSettings>("/admin/faults"));
    }

    [Fact]
    public async Task Stats_count_requests_per_endpoint_and_model_and_keep_the_last_key_and_body()
    {
        await _factory.OpenAI().GetChatClient("gpt-4o").CompleteChatAsync([new OpenAI.Chat.UserChatMessage("secret-free text")]);
        await _factory.OpenAI().GetChatClient("gpt-4o").CompleteChatAsync([new OpenAI.Chat.UserChatMessage("again")]);
        await _factory.OpenAI().GetEmbeddingClient("text-embedding-3-small").GenerateEmbeddingAsync("x");
        var openAIStats = await _factory.StatsAsync();
        await _factory.Anthropic().Messages.Create(new Anthropic.Models.Messages.MessageCreateParams
        {
            MaxTokens = 5,
            Messages = [new Anthropic.Models.Messages.UserMessageParam("hello claude")],
            Model = "claude-sonnet-4-5",
        });
        var stats = await _factory.StatsAsync();

        Assert.Equal("Bearer sk-test-openai", openAIStats["lastAuthorization"]!.GetValue<string>());
        Assert.Equal(4, stats["total"]!.GetValue<long>());
        Assert.Equal(2, stats["byEndpoint"]!["chat.completions"]!.GetValue<long>());
        Assert.Equal(1, stats["byEndpoint"]!["embeddings"]!.GetValue<long>());
        Assert.Equal(2, stats["byModel"]!["gpt-4o"]!.GetValue<long>());
        Assert.Equal(1, stats["byEndpointModel"]!["messages"]!["claude-sonnet-4-5"]!.GetValue<long>());
        Assert.EndsWith("sk-ant-test", stats["lastAuthorization"]!.GetValue<string>());
        Assert.Equal("messages", stats["lastEndpoint"]!.GetValue<string>());
        Assert.Equal("claude-sonnet-4-5", stats["lastModel"]!.GetValue<string>());
        Assert.Contains("hello claude", stats["lastRequestBody"]!.GetValue<string>());

        // With only x-api-key (as Anthropic clients and the Router send it), that key is the last authorization.
        using (await _factory.PostAsync("/v1/messages", Bodies.Message("claude-key"), ("x-api-key", "key-only"))) { }
        var keyed = await _factory.StatsAsync();
        Assert.Equal("key-only", keyed["lastAuthorization"]!.GetValue<string>());
        Assert.Equal("key-only", keyed["lastApiKey"]!.GetValue<string>());

        using var reset = await _admin.DeleteAsync("/admin/stats");
        var cleared = await _factory.StatsAsync();
        Assert.Equal(0, cleared["total"]!.GetValue<long>());
        Assert.Empty(cleared["byEndpoint"]!.AsObject());
        Assert.Null(cleared["lastAuthorization"]);
    }

    [Fact]
    public async Task Requests_refused_by_faults_or_validation_still_count_as_received()
    {
        await _admin.PutAsJsonAsync("/admin/faults", new FaultSettings(Status: 500, Models: ["counted"]));
        await ChatAsync("counted");
        using var malformed = await _factory.PostAsync("/v1/chat/completions", "{not json");

        var stats = await _factory.StatsAsync();
        Assert.Equal(2, stats["byEndpoint"]!["chat.completions"]!.GetValue<long>());
        Assert.Equal(1, stats["byModel"]!["counted"]!.GetValue<long>());
    }

    [Fact]
    public async Task Two_simulators_side_by_side_share_no_faults_or_stats()
    {
        await using var other = new SocketMockProviderFactory();
        using var otherAdmin = other.Http();
        await otherAdmin.PutAsJsonAsync("/admin/faults", new FaultSettings(Status: 503));

        Assert.Equal(HttpStatusCode.OK, await ChatAsync("side-by-side"));
        using var faulted = await other.PostAsync("/v1/chat/completions", Bodies.Chat("side-by-side"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, faulted.StatusCode);
        Assert.Equal(1, await _factory.CountAsync("chat.completions", "side-by-side"));
        Assert.Equal(1, await other.CountAsync("chat.completions", "side-by-side"));
    }
}
