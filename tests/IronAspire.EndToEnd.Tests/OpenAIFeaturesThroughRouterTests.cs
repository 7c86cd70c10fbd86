using System.ClientModel;
using IronAspire.Contracts.Agents;
using OpenAI;
using OpenAI.Chat;
using OpenAI.Embeddings;
using StackExchange.Redis;

namespace IronAspire.EndToEnd.Tests;

/// <summary>Tool calls, embeddings and key revocation, with the official OpenAI SDK through the Router.</summary>
[Collection(IronAspireAppCollection.Name)]
public class OpenAIFeaturesThroughRouterTests(IronAspireAppFixture fixture)
{
    private OpenAIClientOptions Options => new() { Endpoint = new Uri(fixture.RouterUrl, "/v1") };

    [Fact]
    public async Task Tool_calls_pass_through_unchanged_streaming_and_not()
    {
        var chat = new ChatClient("gpt-4o", new ApiKeyCredential(fixture.DemoKey), Options);
        var options = new ChatCompletionOptions
        {
            Tools = { ChatTool.CreateFunctionTool("get_weather", "Weather for a city", BinaryData.FromString("""{"type":"object","properties":{"location":{"type":"string"}}}""")) },
            ToolChoice = ChatToolChoice.CreateRequiredChoice(),
        };

        var completion = (await chat.CompleteChatAsync([new UserChatMessage("What is the weather in Paris?")], options)).Value;

        Assert.Equal(ChatFinishReason.ToolCalls, completion.FinishReason);
        var call = Assert.Single(completion.ToolCalls);
        Assert.Equal("get_weather", call.FunctionName);
        Assert.Equal("Paris", System.Text.Json.JsonDocument.Parse(call.FunctionArguments).RootElement.GetProperty("location").GetString());
        Assert.True(completion.Usage.OutputTokenCount > 0);

        var names = new List<string>();
        var arguments = new System.Text.StringBuilder();
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("What is the weather in Paris?")], options))
        {
            foreach (var part in update.ToolCallUpdates)
            {
                if (part.FunctionName is { } name)
                {
                    names.Add(name);
                }

                arguments.Append(part.FunctionArgumentsUpdate?.ToString());
            }
        }

        Assert.Equal(["get_weather"], names);
        Assert.Contains("Paris", arguments.ToString());
    }

    [Fact]
    public async Task Embeddings_come_back_with_usage()
    {
        var embeddings = new EmbeddingClient("text-embedding-3-small", new ApiKeyCredential(fixture.DemoKey), Options);

        var result = (await embeddings.GenerateEmbeddingsAsync(["first text", "second text"])).Value;

        Assert.Equal(2, result.Count);
        Assert.True(result[0].ToFloats().Length > 0);
        Assert.True(result.Usage.InputTokenCount > 0);
    }

    [Fact]
    public async Task A_revoked_key_stops_working_within_five_seconds()
    {
        var key = AgentKeyFormat.NewKey();
        await using var redis = await ConnectionMultiplexer.ConnectAsync(await fixture.App.ConnectionStringAsync("cache"));
        await redis.GetDatabase().HashSetAsync(AgentKeyFormat.RedisKey(key), [new(AgentKeyFormat.AgentIdField, "revoked-" + Guid.NewGuid().ToString("N")[..8])]);
        var chat = new ChatClient("gpt-4o-mini", new ApiKeyCredential(key), Options);
        Assert.NotNull((await chat.CompleteChatAsync([new UserChatMessage("hi")])).Value);

        await redis.GetDatabase().KeyDeleteAsync(AgentKeyFormat.RedisKey(key));
        var revokedAt = DateTime.UtcNow;
        var status = 200;
        while (status == 200 && DateTime.UtcNow - revokedAt < TimeSpan.FromSeconds(6))
        {
            try
            {
                await chat.CompleteChatAsync([new UserChatMessage("hi")]);
                await Task.Delay(200);
            }
            catch (ClientResultException ex)
            {
                status = ex.Status;
            }
        }

        Assert.Equal(401, status);
        Assert.True(DateTime.UtcNow - revokedAt < TimeSpan.FromSeconds(5));
    }
}
