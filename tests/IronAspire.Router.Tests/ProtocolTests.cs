using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using IronAspire.MockProvider.Simulation;

namespace IronAspire.Router.Tests;

/// <summary>
/// The parts of both APIs an unmodified client relies on, through the Router to a real MockProvider: both ways of
/// sending a key, the provider prefixes, the Responses API, Anthropic's token count, and provider keys kept secret.
/// </summary>
public class ProtocolTests : IAsyncLifetime
{
    private const string ProviderKey = "sk-provider-secret-0123456789";
    private MockProviderHost _mock = null!;
    private RouterHost _router = null!;
    private System.Net.Sockets.Socket? _stalled;
    private readonly List<System.Net.Sockets.Socket> _backlog = [];

    public async Task InitializeAsync()
    {
        _mock = await MockProviderHost.StartAsync();
        var settings = RouterHost.Provider(0, "mock-openai", "OpenAICompatible", _mock.Url, ProviderKey, "gpt-*");
        foreach (var (key, value) in RouterHost.Provider(1, "mock-anthropic", "Anthropic", _mock.Url, ProviderKey, "claude-*"))
        {
            settings[key] = value;
        }

        // A provider nothing listens for: connections are refused.
        var closedPort = IronAspire.Testing.FreePort.Next();
        foreach (var (key, value) in RouterHost.Provider(2, "down", "OpenAICompatible", $"http://127.0.0.1:{closedPort}", ProviderKey, "down-*"))
        {
            settings[key] = value;
        }

        // A provider whose connections never complete: a listener that never accepts, its backlog already full, so
        // the kernel drops the Router's SYNs as it would for an unreachable host.
        _stalled = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        _stalled.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _stalled.Listen(0);
        var stalledEndPoint = (IPEndPoint)_stalled.LocalEndPoint!;
        for (var i = 0; i < 4; i++)
        {
            var filler = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
            using var attempt = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
            try
            {
                await filler.ConnectAsync(stalledEndPoint, attempt.Token);
            }
            catch (OperationCanceledException)
            {
            }

            _backlog.Add(filler);
        }

        foreach (var (key, value) in RouterHost.Provider(3, "stalled", "OpenAICompatible", $"http://127.0.0.1:{stalledEndPoint.Port}", ProviderKey, "stalled-*"))
        {
            settings[key] = value;
        }

        settings["Router:Timeouts:ConnectSeconds"] = "1";
        settings["Router:Resilience:MaxRetries"] = "0";
        _router = await RouterHost.StartAsync(settings);
    }

    public async Task DisposeAsync()
    {
        foreach (var socket in _backlog)
        {
            socket.Dispose();
        }

        _stalled?.Dispose();
        await _router.DisposeAsync();
        await _mock.DisposeAsync();
    }

    [Fact]
    public async Task The_agent_key_works_as_a_bearer_token_or_as_x_api_key_on_both_apis()
    {
        foreach (var (path, model) in new[] { ("/v1/chat/completions", "gpt-4o-mini"), ("/v1/messages", "claude-haiku-4-5") })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = Json(RouterHost.Chat(model)) };
            request.Headers.Add("x-api-key", RouterHost.AgentKey);
            using var response = await _router.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);

            using var bearer = await _router.PostAsync(path, RouterHost.Chat(model));
            Assert.Equal(HttpStatusCode.OK, bearer.StatusCode);
        }

        using var wrong = new HttpRequestMessage(HttpMethod.Post, "/v1/messages") { Content = Json(RouterHost.Chat("claude-haiku-4-5")) };
        wrong.Headers.Add("x-api-key", "not-a-key");
        using var refused = await _router.Client.SendAsync(wrong);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("authentication_error", JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["error"]!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_prefix_picks_the_provider_for_a_model_no_pattern_names()
    {
        using var unprefixed = await _router.PostAsync("/v1/chat/completions", RouterHost.Chat("local-llama-3"));
        Assert.Equal(HttpStatusCode.NotFound, unprefixed.StatusCode);

        using var openai = await _router.PostAsync("/openai/v1/chat/completions", RouterHost.Chat("local-llama-3"));
        Assert.Equal(HttpStatusCode.OK, openai.StatusCode);
        Assert.Equal("mock-openai", openai.Headers.GetValues("x-ironaspire-provider").Single());
        Assert.Equal("chat.completion", JsonNode.Parse(await openai.Content.ReadAsStringAsync())!["object"]!.GetValue<string>());

        using var anthropic = await _router.PostAsync("/anthropic/v1/messages", RouterHost.Chat("my-claude-proxy-model"));
        Assert.Equal(HttpStatusCode.OK, anthropic.StatusCode);
        Assert.Equal("mock-anthropic", anthropic.Headers.GetValues("x-ironaspire-provider").Single());
        Assert.Equal("message", JsonNode.Parse(await anthropic.Content.ReadAsStringAsync())!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_responses_api_passes_through_with_usage_streaming_and_not()
    {
        const string body = """{"model":"gpt-4o-mini","input":"Say hello to the lighthouse keeper.","max_output_tokens":16,"metadata":{"client_field":"kept"}}""";
        using var response = await _router.PostAsync("/v1/responses", body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("response", json["object"]!.GetValue<string>());
        Assert.True(json["usage"]!["output_tokens"]!.GetValue<int>() > 0);

        using var streamed = await _router.PostAsync("/v1/responses", body.Replace("\"max_output_tokens\"", "\"stream\":true,\"max_output_tokens\""));
        Assert.Equal(HttpStatusCode.OK, streamed.StatusCode);
        Assert.Equal("text/event-stream", streamed.Content.Headers.ContentType!.MediaType);
        var text = await streamed.Content.ReadAsStringAsync();
        Assert.Contains("event: response.output_text.delta", text);
        Assert.Contains("event: response.completed", text);
    }

    [Fact]
    public async Task Anthropic_token_counting_passes_through()
    {
        using var response = await _router.PostAsync("/v1/messages/count_tokens",
            """{"model":"claude-haiku-4-5","messages":[{"role":"user","content":"How many tokens is this?"}]}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["input_tokens"]!.GetValue<int>() > 0);
    }

    [Fact]
    public async Task A_provider_that_cannot_be_reached_is_503_with_retry_after_in_the_routes_format()
    {
        using var response = await _router.PostAsync("/v1/chat/completions", RouterHost.Chat("down-1"));
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Equal("provider_unavailable", error["code"]!.GetValue<string>());
        Assert.Contains("could not be reached", error["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_provider_that_does_not_complete_the_connection_is_given_up_after_the_connect_timeout()
    {
        var stopwatch = Stopwatch.StartNew();
        using var response = await _router.PostAsync("/v1/chat/completions", RouterHost.Chat("stalled-1"));
        stopwatch.Stop();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("provider_unavailable", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!["code"]!.GetValue<string>());
        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_provider_refusing_its_key_is_a_gateway_error_and_the_key_appears_in_no_answer_or_log()
    {
        // Every activity (trace span) the Router starts meanwhile, with its tags, to check none carries the key.
        var spans = new System.Collections.Concurrent.ConcurrentQueue<System.Diagnostics.Activity>();
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);

        // The provider answers 401, as OpenAI does for a wrong key: the agent's key was fine, so the agent must not
        // see an authentication error of its own, nor anything of the provider's key.
        await _mock.SetFaultAsync(new FaultSettings(Status: 401, Models: ["gpt-bad-key", "claude-bad-key"]));
        using var openai = await _router.PostAsync("/v1/chat/completions", RouterHost.Chat("gpt-bad-key"));
        var openaiBody = await openai.Content.ReadAsStringAsync();
        using var anthropic = await _router.PostAsync("/v1/messages", RouterHost.Chat("claude-bad-key", stream: true));
        var anthropicBody = await anthropic.Content.ReadAsStringAsync();
        await _mock.SetFaultAsync(null);

        Assert.Equal(HttpStatusCode.BadGateway, openai.StatusCode);
        Assert.Equal("provider_auth_error", JsonNode.Parse(openaiBody)!["error"]!["code"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadGateway, anthropic.StatusCode);
        Assert.Equal("api_error", JsonNode.Parse(anthropicBody)!["error"]!["type"]!.GetValue<string>());
        Assert.Contains("mock-anthropic", anthropicBody);
        Assert.EndsWith(ProviderKey, await _mock.LastAuthorizationAsync()); // the provider did get the key

        Assert.Contains(_router.Logs.Lines, line => line.Contains("refused IronAspire's credentials", StringComparison.Ordinal));
        Assert.DoesNotContain(ProviderKey, openaiBody + anthropicBody);
        Assert.DoesNotContain(_router.Logs.Lines, line => line.Contains(ProviderKey, StringComparison.Ordinal));
        Assert.Contains(spans, span => span.OperationName == "System.Net.Http.HttpRequestOut");
        Assert.DoesNotContain(spans, span => span.DisplayName.Contains(ProviderKey, StringComparison.Ordinal)
            || span.TagObjects.Any(tag => tag.Value?.ToString()?.Contains(ProviderKey, StringComparison.Ordinal) == true)
            || span.Baggage.Any(item => item.Value?.Contains(ProviderKey, StringComparison.Ordinal) == true));
    }

    private static StringContent Json(string json) => new(json, System.Text.Encoding.UTF8, "application/json");
}
