using System.ClientModel;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Anthropic;
using Anthropic.Models.Messages;
using OpenAI;
using OpenAI.Chat;

namespace IronAspire.EndToEnd.Tests;

/// <summary>
/// Gateway mode in the demo configuration (the MockProvider's Anthropic API serves claude-*, its OpenAI API every other
/// model): the official OpenAI SDK calling a Claude model and the official Anthropic SDK calling a GPT model, streamed
/// and not, with a tool call; the translated call is billed at the serving model's price and recorded in Analytics.
/// </summary>
[Collection(IronAspireAppCollection.Name)]
public class GatewayThroughRouterTests(IronAspireAppFixture fixture)
{
    private static readonly ChatTool OpenAIWeather = ChatTool.CreateFunctionTool("get_weather", "Weather for a city",
        BinaryData.FromString("""{"type":"object","properties":{"location":{"type":"string"}},"required":["location"]}"""));

    private ChatClient OpenAIChat(string model, string key) =>
        new(model, new ApiKeyCredential(key), new OpenAIClientOptions { Endpoint = new Uri(fixture.RouterUrl, "/v1") });

    private AnthropicClient Anthropic(string key) => new() { BaseUrl = fixture.RouterUrl.ToString().TrimEnd('/'), ApiKey = key, MaxRetries = 0 };

    [Fact]
    public async Task The_OpenAI_SDK_calls_a_claude_model_streamed_and_not_with_a_tool_call_billed_at_claudes_price()
    {
        var agentId = "gw-openai-" + Guid.NewGuid().ToString("N")[..8];
        var key = await fixture.RegisterAgentKeyAsync(agentId);
        var chat = OpenAIChat("claude-sonnet-4-5", key);

        var completion = (await chat.CompleteChatAsync([new UserChatMessage("Say hello")], new ChatCompletionOptions { MaxOutputTokenCount = 40 })).Value;
        Assert.StartsWith("IronAspire mock provider here.", completion.Content[0].Text);
        Assert.True(completion.Usage.InputTokenCount > 0);
        Assert.True(completion.Usage.OutputTokenCount is > 0 and <= 40);

        var text = new System.Text.StringBuilder();
        ChatTokenUsage? streamedUsage = null;
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("Say hello")], new ChatCompletionOptions { MaxOutputTokenCount = 40 }))
        {
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }

            streamedUsage ??= update.Usage;
        }

        Assert.Equal(completion.Content[0].Text, text.ToString());
        Assert.Equal(completion.Usage.OutputTokenCount, streamedUsage!.OutputTokenCount);

        var tools = new ChatCompletionOptions { Tools = { OpenAIWeather }, ToolChoice = ChatToolChoice.CreateRequiredChoice(), MaxOutputTokenCount = 100 };
        var toolCall = Assert.Single((await chat.CompleteChatAsync([new UserChatMessage("Weather in Paris?")], tools)).Value.ToolCalls);
        Assert.Equal("get_weather", toolCall.FunctionName);
        Assert.Equal("Paris", JsonDocument.Parse(toolCall.FunctionArguments).RootElement.GetProperty("location").GetString());
        var answer = (await chat.CompleteChatAsync(
            [new UserChatMessage("Weather in Paris?"), new AssistantChatMessage([toolCall]), new ToolChatMessage(toolCall.Id, "Sunny")],
            new ChatCompletionOptions { Tools = { OpenAIWeather }, MaxOutputTokenCount = 40 })).Value;
        Assert.Equal(ChatFinishReason.Stop, answer.FinishReason);

        // Billed at Claude's price (USD per million tokens), not GPT's: the first call alone is checked against the table.
        using var budget = fixture.CreateOperatorClient("budget");
        var prices = (await budget.GetFromJsonAsync<JsonArray>("/v1/prices"))!;
        var claude = prices.Single(p => p!["model"]!.GetValue<string>() == "claude-sonnet-4-5")!;
        var firstCost = (completion.Usage.InputTokenCount * claude["inputUsdPerMillion"]!.GetValue<decimal>()
                         + completion.Usage.OutputTokenCount * claude["outputUsdPerMillion"]!.GetValue<decimal>()) / 1_000_000m;
        var summary = await fixture.WaitForSummaryAsync(agentId, 4);
        Assert.Equal(4, summary["requests"]!.GetValue<long>());
        Assert.Equal(0, summary["failures"]!.GetValue<long>());
        Assert.True(summary["costUsd"]!.GetValue<decimal>() > 2 * firstCost, "four calls, each at Claude's price");
        using var analytics = fixture.CreateOperatorClient("analytics");
        var models = (await analytics.GetFromJsonAsync<JsonArray>($"/v1/analytics/models?agentId={agentId}"))!;
        Assert.Equal("claude-sonnet-4-5", Assert.Single(models)!["model"]!.GetValue<string>());
        var state = await fixture.WaitSettledAsync($"/v1/budgets/{agentId}");
        Assert.Equal(summary["costUsd"]!.GetValue<decimal>(), state["spentUsd"]!.GetValue<decimal>());
    }

    [Fact]
    public async Task The_Anthropic_SDK_calls_a_gpt_model_streamed_and_not_with_a_tool_call()
    {
        var key = await fixture.RegisterAgentKeyAsync("gw-anthropic-" + Guid.NewGuid().ToString("N")[..8]);
        var client = Anthropic(key);

        var message = await client.Messages.Create(new MessageCreateParams { MaxTokens = 40, Messages = [new UserMessageParam("Say hello")], Model = "gpt-4o-mini" });
        Assert.True(message.Content[0].TryPickText(out var text));
        Assert.StartsWith("IronAspire mock provider here.", text!.Text);
        Assert.True(message.Usage.InputTokens > 0);
        Assert.True(message.Usage.OutputTokens is > 0 and <= 40);

        var deltas = new List<string>();
        long? outputTokens = null;
        await foreach (var evt in client.Messages.CreateStreaming(new MessageCreateParams { MaxTokens = 40, Messages = [new UserMessageParam("Say hello")], Model = "gpt-4o-mini" }))
        {
            if (evt.TryPickContentBlockDelta(out var delta) && delta!.Delta.TryPickText(out var piece))
            {
                deltas.Add(piece!.Text);
            }

            if (evt.TryPickDelta(out var messageDelta))
            {
                outputTokens = messageDelta!.Usage.OutputTokens;
            }
        }

        Assert.Equal(text.Text, string.Concat(deltas));
        Assert.Equal(message.Usage.OutputTokens, outputTokens);

        var weather = new Tool
        {
            Name = "get_weather",
            InputSchema = new InputSchema { Properties = new Dictionary<string, JsonElement> { ["location"] = JsonDocument.Parse("""{"type":"string"}""").RootElement } },
        };
        var json = new System.Text.StringBuilder();
        await foreach (var evt in client.Messages.CreateStreaming(new MessageCreateParams
        {
            MaxTokens = 100, Messages = [new UserMessageParam("Weather in Paris?")], Model = "gpt-4o", Tools = [weather], ToolChoice = new ToolChoiceAny(),
        }))
        {
            if (evt.TryPickContentBlockDelta(out var delta) && delta!.Delta.TryPickInputJson(out var input))
            {
                json.Append(input!.PartialJson);
            }
        }

        Assert.Equal("Paris", JsonDocument.Parse(json.ToString()).RootElement.GetProperty("location").GetString());
    }
}
