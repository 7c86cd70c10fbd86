using System.ClientModel;
using System.Net;
using System.Text.Json.Nodes;
using OpenAI;
using OpenAI.Chat;

namespace IronAspire.EndToEnd.Tests;

/// <summary>The vertical slice: an unmodified OpenAI SDK, the Router, YARP, the MockProvider, and back.</summary>
[Collection(IronAspireAppCollection.Name)]
public class OpenAIThroughRouterTests(IronAspireAppFixture fixture)
{
    private ChatClient Chat(string key, string model = "gpt-4o-mini") =>
        new(model, new ApiKeyCredential(key), new OpenAIClientOptions { Endpoint = new Uri(fixture.RouterUrl, "/v1") });

    [Fact]
    public async Task A_chat_completion_reaches_the_mock_provider_and_comes_back()
    {
        var completion = (await Chat(fixture.DemoKey).CompleteChatAsync([new UserChatMessage("Say hello")])).Value;

        Assert.StartsWith("IronAspire mock provider here.", completion.Content[0].Text);
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        Assert.True(completion.Usage.InputTokenCount > 0);
        Assert.True(completion.Usage.OutputTokenCount > 0);
    }

    [Fact]
    public async Task A_streamed_chat_completion_arrives_chunk_by_chunk_with_the_whole_text()
    {
        var updates = new List<StreamingChatCompletionUpdate>();
        await foreach (var update in Chat(fixture.DemoKey).CompleteChatStreamingAsync(
            [new UserChatMessage("Say hello")], new ChatCompletionOptions { MaxOutputTokenCount = 20 }))
        {
            updates.Add(update);
        }

        var text = string.Concat(updates.SelectMany(u => u.ContentUpdate).Select(p => p.Text));
        Assert.True(updates.Count(u => u.ContentUpdate.Count > 0) > 3, "the reply arrives in several chunks");
        Assert.StartsWith("IronAspire mock provider here.", text);
        Assert.Contains(updates, u => u.FinishReason == ChatFinishReason.Stop);
        // The SDK asks for stream usage itself, so it gets the usage chunk.
        var usage = Assert.Single(updates, u => u.Usage is not null).Usage;
        Assert.True(usage.OutputTokenCount is > 0 and <= 20);
    }

    [Fact]
    public async Task A_client_that_did_not_ask_for_stream_usage_never_sees_the_usage_chunk_the_router_added()
    {
        using var http = new HttpClient { BaseAddress = fixture.RouterUrl };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent("""{"model":"gpt-4o-mini","stream":true,"max_tokens":10,"messages":[{"role":"user","content":"hi"}]}""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", fixture.DemoKey);

        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("\"finish_reason\":\"stop\"", body);
        Assert.EndsWith("data: [DONE]\n\n", body);
        Assert.DoesNotContain("\"usage\"", body);
    }

    [Fact]
    public async Task An_unknown_key_gets_401_in_openai_error_format()
    {
        var ex = await Assert.ThrowsAsync<ClientResultException>(() => Chat("not-a-key").CompleteChatAsync([new UserChatMessage("hi")]));
        Assert.Equal(401, ex.Status);

        using var http = new HttpClient { BaseAddress = fixture.RouterUrl };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent("""{"model":"gpt-4o-mini","messages":[]}""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", "not-a-key");
        using var response = await http.SendAsync(request);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_api_key", body["error"]!["code"]!.GetValue<string>());
        Assert.Equal("authentication_error", body["error"]!["type"]!.GetValue<string>());
        Assert.True(response.Headers.Contains("x-request-id"));
    }
}
