using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Anthropic.Core;
using Anthropic.Models.Messages;

namespace IronAspire.MockProvider.Tests;

/// <summary>Anthropic messages and count_tokens through the official Anthropic SDK (with response validation on) and raw HTTP.</summary>
public class AnthropicMessagesTests(MockProviderFactory factory) : IClassFixture<MockProviderFactory>
{
    private const string Model = "claude-sonnet-4-5";

    private static Tool Weather() => new()
    {
        Name = "get_weather",
        Description = "Weather for a city",
        InputSchema = new InputSchema
        {
            Properties = new Dictionary<string, JsonElement>
            {
                ["location"] = JsonDocument.Parse("""{"type":"string"}""").RootElement,
                ["days"] = JsonDocument.Parse("""{"type":"integer"}""").RootElement,
            },
        },
    };

    [Fact]
    public async Task A_message_has_the_default_reply_and_usage()
    {
        var message = await factory.Anthropic().Messages.Create(new MessageCreateParams
        {
            MaxTokens = 1024,
            System = "Be brief.",
            Messages = [new UserMessageParam("Say hello")],
            Model = Model,
        });

        Assert.True(message.Content[0].TryPickText(out var text));
        Assert.StartsWith("IronAspire mock provider here.", text!.Text);
        Assert.StartsWith("msg_", message.ID);
        Assert.Equal(StopReason.EndTurn, message.StopReason?.Value());
        // Priming 3, system 3 + ceil(9 / 4), user 3 + ceil(9 / 4).
        Assert.Equal(3 + (3 + 3) + (3 + 3), message.Usage.InputTokens);
        Assert.Equal((text.Text.Length + 3) / 4, message.Usage.OutputTokens);
        Assert.Equal(0, message.Usage.CacheReadInputTokens);
        Assert.Equal(0, message.Usage.CacheCreationInputTokens);
    }

    [Fact]
    public async Task Max_tokens_caps_the_reply()
    {
        var message = await factory.Anthropic().Messages.Create(new MessageCreateParams
        {
            MaxTokens = 6,
            Messages = [new UserMessageParam("Tell me a story")],
            Model = Model,
        });

        Assert.True(message.Usage.OutputTokens <= 6);
        Assert.True(message.Content[0].TryPickText(out var text));
        Assert.True(text!.Text.Length <= 24);
    }

    [Fact]
    public async Task A_streamed_message_sends_every_anthropic_event_with_usage()
    {
        var deltas = new List<string>();
        long? inputTokens = null;
        long? outputTokens = null;
        ApiEnum<string, StopReason>? stopReason = null;
        var stopped = false;
        await foreach (var evt in factory.Anthropic().Messages.CreateStreaming(new MessageCreateParams
        {
            MaxTokens = 20,
            Messages = [new UserMessageParam("Say hello")],
            Model = Model,
        }))
        {
            if (evt.TryPickStart(out var start))
            {
                inputTokens = start!.Message.Usage.InputTokens;
            }

            if (evt.TryPickContentBlockDelta(out var delta) && delta!.Delta.TryPickText(out var text))
            {
                deltas.Add(text!.Text);
            }

            if (evt.TryPickDelta(out var messageDelta))
            {
                outputTokens = messageDelta!.Usage.OutputTokens;
                stopReason = messageDelta.Delta.StopReason;
            }

            stopped |= evt.TryPickStop(out _);
        }

        var whole = string.Concat(deltas);
        Assert.True(deltas.Count > 3);
        Assert.StartsWith("IronAspire mock provider here.", whole);
        Assert.Equal(3 + 3 + 3, inputTokens);
        Assert.Equal((whole.Length + 3) / 4, outputTokens);
        Assert.True(outputTokens <= 20);
        Assert.Equal(StopReason.EndTurn, stopReason?.Value());
        Assert.True(stopped);
    }

    [Fact]
    public async Task The_raw_stream_has_event_lines_in_anthropic_order()
    {
        using var response = await factory.PostAsync("/v1/messages", Bodies.Message(Model, stream: true, maxTokens: 8));
        var body = await response.Content.ReadAsStringAsync();
        var events = Bodies.EventLines(body);

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(["message_start", "content_block_start", "ping"], events[..3]);
        Assert.Equal(["content_block_stop", "message_delta", "message_stop"], events[^3..]);
        Assert.All(events[3..^3], e => Assert.Equal("content_block_delta", e));
        var data = Bodies.DataLines(body).Select(d => JsonNode.Parse(d)!).ToList();
        Assert.Equal(events, data.Select(d => d["type"]!.GetValue<string>()));
        Assert.Equal(0, data[0]["message"]!["usage"]!["cache_read_input_tokens"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_forced_tool_gets_a_tool_use_block_streaming_and_not()
    {
        var request = new MessageCreateParams
        {
            MaxTokens = 256,
            Messages = [new UserMessageParam("Weather in Paris?")],
            Model = Model,
            Tools = [Weather()],
            ToolChoice = new ToolChoiceAny(),
        };

        var message = await factory.Anthropic().Messages.Create(request);

        Assert.Equal(StopReason.ToolUse, message.StopReason?.Value());
        Assert.True(message.Content[0].TryPickToolUse(out var toolUse));
        Assert.Equal("get_weather", toolUse!.Name);
        Assert.StartsWith("toolu_", toolUse.ID);
        Assert.Equal("Paris", toolUse.Input["location"].GetString());
        Assert.Equal(1, toolUse.Input["days"].GetInt32());

        var json = new System.Text.StringBuilder();
        string? name = null;
        await foreach (var evt in factory.Anthropic().Messages.CreateStreaming(request))
        {
            if (evt.TryPickContentBlockStart(out var start) && start!.ContentBlock.TryPickToolUse(out var block))
            {
                name = block!.Name;
            }

            if (evt.TryPickContentBlockDelta(out var delta) && delta!.Delta.TryPickInputJson(out var input))
            {
                json.Append(input!.PartialJson);
            }
        }

        Assert.Equal("get_weather", name);
        Assert.Equal("Paris", JsonDocument.Parse(json.ToString()).RootElement.GetProperty("location").GetString());
    }

    [Fact]
    public async Task Asking_to_call_a_tool_by_name_uses_it_unless_tool_choice_is_none()
    {
        using var asked = await factory.PostAsync("/v1/messages",
            """{"model":"claude-tools","max_tokens":100,"tools":[{"name":"lookup_order","input_schema":{"type":"object","properties":{"order_id":{"type":"string"}}}}],"messages":[{"role":"user","content":[{"type":"text","text":"Please call lookup_order"}]}]}""");
        using var refused = await factory.PostAsync("/v1/messages",
            """{"model":"claude-tools","max_tokens":100,"tool_choice":{"type":"none"},"tools":[{"name":"lookup_order","input_schema":{"type":"object"}}],"messages":[{"role":"user","content":"Please call lookup_order"}]}""");

        var use = JsonNode.Parse(await asked.Content.ReadAsStringAsync())!;
        Assert.Equal("tool_use", use["stop_reason"]!.GetValue<string>());
        Assert.Equal("example", use["content"]![0]!["input"]!["order_id"]!.GetValue<string>());
        Assert.Equal("end_turn", JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["stop_reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task Count_tokens_gives_the_input_tokens_messages_reports()
    {
        var count = await factory.Anthropic().Messages.CountTokens(new MessageCountTokensParams
        {
            Messages = [new UserMessageParam("How many tokens is this sentence?")],
            Model = Model,
            System = "You count.",
        });
        var message = await factory.Anthropic().Messages.Create(new MessageCreateParams
        {
            MaxTokens = 10,
            Messages = [new UserMessageParam("How many tokens is this sentence?")],
            Model = Model,
            System = "You count.",
        });

        Assert.Equal(3 + (3 + 3) + (3 + 9), count.InputTokens);
        Assert.Equal(message.Usage.InputTokens, count.InputTokens);
    }

    [Fact]
    public async Task Missing_max_tokens_is_a_400_in_anthropic_error_format()
    {
        using var response = await factory.PostAsync("/v1/messages", """{"model":"claude-x","messages":[{"role":"user","content":"hi"}]}""");
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("error", body["type"]!.GetValue<string>());
        Assert.Equal("invalid_request_error", body["error"]!["type"]!.GetValue<string>());
        Assert.Contains("max_tokens", body["error"]!["message"]!.GetValue<string>());
    }
}
