using System.Net;
using System.Text.Json.Nodes;
using IronAspire.MockProvider.Simulation;
using OpenAI.Chat;

namespace IronAspire.MockProvider.Tests;

/// <summary>Echo mode (header and configuration) and request validation in each provider's error format.</summary>
public class EchoAndValidationTests(MockProviderFactory factory) : IClassFixture<MockProviderFactory>
{
    private static readonly (string, string) Echo = (RequestControls.ModeHeader, "echo");

    [Fact]
    public async Task Echo_mode_repeats_the_last_user_message_through_the_openai_sdk_streaming_and_not()
    {
        var chat = factory.OpenAI(Echo).GetChatClient("gpt-4o");
        List<ChatMessage> messages =
        [
            new UserChatMessage("first question"),
            new AssistantChatMessage("first answer"),
            new UserChatMessage("My email is jane.doe@example.com and my card 4111 1111 1111 1111."),
        ];

        var completion = (await chat.CompleteChatAsync(messages)).Value;
        var streamed = new List<string>();
        await foreach (var update in chat.CompleteChatStreamingAsync(messages))
        {
            streamed.AddRange(update.ContentUpdate.Select(p => p.Text));
        }

        Assert.Equal("My email is jane.doe@example.com and my card 4111 1111 1111 1111.", completion.Content[0].Text);
        Assert.Equal(completion.Content[0].Text, string.Concat(streamed));
        Assert.True(streamed.Count > 5, "the echo is streamed word by word");
        Assert.Equal((completion.Content[0].Text.Length + 3) / 4, completion.Usage.OutputTokenCount);
    }

    [Fact]
    public async Task Echo_mode_works_for_anthropic_content_blocks_and_the_responses_api()
    {
        using var anthropic = await factory.PostAsync("/v1/messages",
            """{"model":"claude-echo","max_tokens":100,"messages":[{"role":"user","content":[{"type":"text","text":"Call me at "},{"type":"text","text":"+1 555 0100"}]}]}""", Echo);
        var responses = (await factory.OpenAI(Echo).GetResponsesClient().CreateResponseAsync(new OpenAI.Responses.CreateResponseOptions
        {
            Model = "gpt-4.1",
            InputItems = { OpenAI.Responses.ResponseItem.CreateUserMessageItem("échos über 🚀 rockets") },
        })).Value;

        Assert.Equal("Call me at +1 555 0100", JsonNode.Parse(await anthropic.Content.ReadAsStringAsync())!["content"]![0]!["text"]!.GetValue<string>());
        Assert.Equal("échos über 🚀 rockets", responses.GetOutputText());
    }

    [Fact]
    public async Task An_echo_longer_than_max_tokens_is_cut_and_says_so()
    {
        var completion = (await factory.OpenAI(Echo).GetChatClient("gpt-4o").CompleteChatAsync(
            [new UserChatMessage("This message is much longer than three tokens allow.")],
            new ChatCompletionOptions { MaxOutputTokenCount = 3 })).Value;
        using var anthropic = await factory.PostAsync("/v1/messages", Bodies.Message("claude-echo", "This message is much longer than three tokens allow.", maxTokens: 3), Echo);
        var message = JsonNode.Parse(await anthropic.Content.ReadAsStringAsync())!;

        Assert.Equal("This message", completion.Content[0].Text);
        Assert.Equal(3, completion.Usage.OutputTokenCount);
        Assert.Equal(ChatFinishReason.Length, completion.FinishReason);
        Assert.Equal("max_tokens", message["stop_reason"]!.GetValue<string>());
        Assert.Equal(3, message["usage"]!["output_tokens"]!.GetValue<int>());
    }

    [Fact]
    public async Task Echo_mode_can_be_the_configured_default_and_a_header_turns_it_off()
    {
        await using var echoing = MockProviderFactory.WithSettings(("MockProvider:Mode", "echo"));

        var echoed = (await echoing.OpenAI().GetChatClient("gpt-4o").CompleteChatAsync([new UserChatMessage("repeat me")])).Value;
        var normal = (await echoing.OpenAI((RequestControls.ModeHeader, "normal")).GetChatClient("gpt-4o").CompleteChatAsync([new UserChatMessage("repeat me")])).Value;

        Assert.Equal("repeat me", echoed.Content[0].Text);
        Assert.StartsWith("IronAspire mock provider here.", normal.Content[0].Text);
    }

    [Fact]
    public async Task Configured_reply_length_latency_chunk_size_and_body_recording_apply_without_headers()
    {
        await using var configured = MockProviderFactory.WithSettings(
            ("MockProvider:ReplyTokens", "10"), ("MockProvider:LatencyMs", "200"), ("MockProvider:ChunkSize", "100"),
            ("MockProvider:RecordLastRequestBody", "false"));
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();

        using var response = await configured.PostAsync("/v1/chat/completions", Bodies.Chat("configured", stream: true, extra: "\"stream_options\":{\"include_usage\":true}"));
        var data = Bodies.DataLines(await response.Content.ReadAsStringAsync());

        Assert.True(stopwatch.Elapsed >= TimeSpan.FromMilliseconds(190));
        // Role chunk, one content chunk (100 words per chunk), finish chunk, usage chunk, [DONE].
        Assert.Equal(5, data.Count);
        Assert.Equal(10, JsonNode.Parse(data[3])!["usage"]!["completion_tokens"]!.GetValue<int>());
        var stats = await configured.StatsAsync();
        Assert.Equal(1, stats["total"]!.GetValue<long>());
        Assert.Null(stats["lastRequestBody"]);
    }

    [Fact]
    public async Task Invalid_configuration_stops_the_simulator_at_start()
    {
        await using var invalid = MockProviderFactory.WithSettings(("MockProvider:Mode", "shout"));

        var error = Assert.ThrowsAny<Exception>(() => invalid.CreateClient());

        Assert.Contains("Mode", error.ToString());
    }

    [Theory]
    [InlineData("/v1/chat/completions", "{\"model\":", "error")]
    [InlineData("/v1/messages", "[1,2]", "type")]
    [InlineData("/v1/chat/completions", """{"messages":[{"role":"user","content":"hi"}]}""", "model")]
    [InlineData("/v1/messages", """{"max_tokens":5,"messages":[{"role":"user","content":"hi"}]}""", "model")]
    [InlineData("/v1/chat/completions", """{"model":"m","messages":[]}""", "messages")]
    [InlineData("/v1/chat/completions", """{"model":"m","max_tokens":0,"messages":[{"role":"user","content":"hi"}]}""", "max_tokens")]
    [InlineData("/v1/responses", """{"model":"m"}""", "input")]
    [InlineData("/v1/messages/count_tokens", """{"model":"m"}""", "messages")]
    public async Task Bad_requests_are_400_in_the_providers_error_format(string path, string body, string mentioned)
    {
        using var response = await factory.PostAsync(path, body);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        if (path.StartsWith("/v1/messages", StringComparison.Ordinal))
        {
            Assert.Equal("error", error["type"]!.GetValue<string>());
            Assert.Equal("invalid_request_error", error["error"]!["type"]!.GetValue<string>());
        }
        else
        {
            Assert.Equal("invalid_request_error", error["error"]!["type"]!.GetValue<string>());
            Assert.True(error["error"]!.AsObject().ContainsKey("code"));
        }

        Assert.Contains(mentioned == "error" || mentioned == "type" ? "" : mentioned, error["error"]!["message"]!.GetValue<string>());
    }
}
