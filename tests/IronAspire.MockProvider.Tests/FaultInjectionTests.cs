using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using IronAspire.MockProvider.Simulation;

namespace IronAspire.MockProvider.Tests;

/// <summary>The per-request x-mock-* headers over real sockets: error statuses, timeouts, dropped connections, error rates and latency.</summary>
public class FaultInjectionTests(SocketMockProviderFactory factory) : IClassFixture<SocketMockProviderFactory>
{
    [Fact]
    public async Task A_status_fault_answers_in_openai_error_format_with_retry_after()
    {
        using var response = await factory.PostAsync("/v1/chat/completions", Bodies.Chat("fault-status"),
            (RequestControls.FaultHeader, "status:429"), (RequestControls.RetryAfterHeader, "7"));
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), response.Headers.RetryAfter!.Delta);
        Assert.Equal("rate_limit_exceeded", body["error"]!["code"]!.GetValue<string>());
        Assert.NotNull(body["error"]!["message"]);
        Assert.NotNull(body["error"]!["type"]);
        Assert.True(body["error"]!.AsObject().ContainsKey("param"));
    }

    [Fact]
    public async Task A_status_fault_answers_in_anthropic_error_format()
    {
        using var response = await factory.PostAsync("/v1/messages", Bodies.Message("claude-fault"), (RequestControls.FaultHeader, "status:529"));
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(529, (int)response.StatusCode);
        Assert.Equal("error", body["type"]!.GetValue<string>());
        Assert.Equal("overloaded_error", body["error"]!["type"]!.GetValue<string>());
        Assert.False(response.Headers.Contains("retry-after"));
    }

    [Fact]
    public async Task The_sdks_see_an_injected_503_as_the_provider_failing()
    {
        var openai = await Assert.ThrowsAsync<System.ClientModel.ClientResultException>(() =>
            factory.OpenAI((RequestControls.FaultHeader, "status:503")).GetChatClient("gpt-4o").CompleteChatAsync([new OpenAI.Chat.UserChatMessage("hi")]));
        var anthropic = await Assert.ThrowsAnyAsync<Anthropic.Exceptions.AnthropicApiException>(() =>
            factory.Anthropic((RequestControls.FaultHeader, "status:503")).Messages.Create(new Anthropic.Models.Messages.MessageCreateParams
            {
                MaxTokens = 10,
                Messages = [new Anthropic.Models.Messages.UserMessageParam("hi")],
                Model = "claude-sonnet-4-5",
            }));

        Assert.Equal(503, openai.Status);
        Assert.Contains("503", anthropic.Message);
    }

    [Fact]
    public async Task A_timeout_fault_never_answers_and_lets_go_when_the_client_gives_up()
    {
        using var client = factory.Http((RequestControls.FaultHeader, "timeout"));
        var before = await factory.CountAsync("chat.completions", "fault-timeout");
        using var giveUp = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        var stopwatch = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            client.PostAsync("/v1/chat/completions", new StringContent(Bodies.Chat("fault-timeout"), Encoding.UTF8, "application/json"), giveUp.Token));

        Assert.True(stopwatch.Elapsed >= TimeSpan.FromMilliseconds(450));
        Assert.Equal(before + 1, await factory.CountAsync("chat.completions", "fault-timeout"));
    }

    [Fact]
    public async Task A_drop_fault_closes_the_connection_before_any_response()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() =>
            factory.PostAsync("/v1/chat/completions", Bodies.Chat("fault-drop"), (RequestControls.FaultHeader, "drop")));

        Assert.True(error is HttpRequestException or IOException, error.GetType().Name);
    }

    [Fact]
    public async Task A_drop_mid_stream_fault_sends_a_few_chunks_then_cuts_the_stream()
    {
        using var client = factory.Http((RequestControls.FaultHeader, "drop-mid-stream"));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent(Bodies.Chat("fault-cut", stream: true, maxTokens: 50), Encoding.UTF8, "application/json"),
        };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var received = new StringBuilder();
        var stream = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[256];

        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            int read;
            while ((read = await stream.ReadAsync(buffer)) > 0)
            {
                received.Append(Encoding.UTF8.GetString(buffer, 0, read));
            }
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(error is HttpRequestException or IOException, error.GetType().Name);
        var data = Bodies.DataLines(received.ToString());
        // The role chunk, then exactly the content chunks sent before the cut; no finish reason, no [DONE].
        Assert.Equal(1 + SimulatedCall.EventsBeforeDrop, data.Count);
        Assert.DoesNotContain("[DONE]", received.ToString());
    }

    [Fact]
    public async Task A_drop_mid_stream_fault_cuts_a_plain_json_body_half_way()
    {
        using var client = factory.Http((RequestControls.FaultHeader, "drop-mid-stream"));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages")
        {
            Content = new StringContent(Bodies.Message("claude-cut"), Encoding.UTF8, "application/json"),
        };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(error is HttpRequestException or IOException, error.GetType().Name);
    }

    [Fact]
    public async Task An_error_rate_fails_about_that_share_of_requests_with_500()
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 120; i++)
        {
            using var response = await factory.PostAsync("/v1/chat/completions", Bodies.Chat("fault-rate", maxTokens: 1), (RequestControls.ErrorRateHeader, "0.5"));
            statuses.Add(response.StatusCode);
        }

        using var never = await factory.PostAsync("/v1/chat/completions", Bodies.Chat("fault-rate"), (RequestControls.ErrorRateHeader, "0"));
        using var always = await factory.PostAsync("/v1/chat/completions", Bodies.Chat("fault-rate"), (RequestControls.ErrorRateHeader, "1"), (RequestControls.FaultHeader, "status:502"));

        var failed = statuses.Count(s => s == HttpStatusCode.InternalServerError);
        Assert.Equal(120, failed + statuses.Count(s => s == HttpStatusCode.OK));
        Assert.InRange(failed, 30, 90);
        Assert.Equal(HttpStatusCode.OK, never.StatusCode);
        Assert.Equal(HttpStatusCode.BadGateway, always.StatusCode);
    }

    [Fact]
    public async Task The_latency_header_delays_the_first_byte()
    {
        var fast = Stopwatch.StartNew();
        using (await factory.PostAsync("/v1/chat/completions", Bodies.Chat("latency"))) { }
        fast.Stop();

        var slow = Stopwatch.StartNew();
        using var response = await factory.PostAsync("/v1/chat/completions", Bodies.Chat("latency"), (RequestControls.LatencyHeader, "400"));
        slow.Stop();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(slow.Elapsed >= TimeSpan.FromMilliseconds(390), slow.Elapsed.ToString());
        Assert.True(fast.Elapsed < TimeSpan.FromMilliseconds(390), fast.Elapsed.ToString());
    }

    [Fact]
    public async Task The_chunk_delay_header_spaces_stream_chunks()
    {
        var stopwatch = Stopwatch.StartNew();
        using var response = await factory.PostAsync("/v1/chat/completions", Bodies.Chat("chunk-delay", stream: true, maxTokens: 8), (RequestControls.ChunkDelayHeader, "60"));
        var chunks = Bodies.DataLines(await response.Content.ReadAsStringAsync()).Count - 3;
        stopwatch.Stop();

        Assert.True(chunks >= 3);
        Assert.True(stopwatch.Elapsed >= TimeSpan.FromMilliseconds(60 * chunks - 10), $"{stopwatch.Elapsed} for {chunks} chunks");
    }

    [Theory]
    [InlineData(RequestControls.FaultHeader, "explode")]
    [InlineData(RequestControls.FaultHeader, "status:99")]
    [InlineData(RequestControls.ErrorRateHeader, "2")]
    [InlineData(RequestControls.LatencyHeader, "-1")]
    [InlineData(RequestControls.ModeHeader, "loud")]
    public async Task A_control_header_that_is_not_understood_is_a_400_naming_it(string header, string value)
    {
        using var response = await factory.PostAsync("/v1/chat/completions", Bodies.Chat("bad-header"), (header, value));
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(header, body["error"]!["message"]!.GetValue<string>());
    }
}
