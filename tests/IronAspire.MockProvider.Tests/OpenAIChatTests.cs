using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using IronAspire.MockProvider.Simulation;
using OpenAI.Chat;

namespace IronAspire.MockProvider.Tests;

/// <summary>Chat completions through the official OpenAI SDK and raw HTTP: shape, usage, streaming, tool calls.</summary>
public class OpenAIChatTests(MockProviderFactory factory) : IClassFixture<MockProviderFactory>
{
    private ChatClient Chat(string model = "gpt-4o-mini", params (string, string)[] headers) => factory.OpenAI(headers).GetChatClient(model);

    private static ChatTool Weather() => ChatTool.CreateFunctionTool(
        "get_weather",
        "Weather for a city",
        BinaryData.FromString("""{"type":"object","properties":{"location":{"type":"string"},"days":{"type":"integer"},"unit":{"type":"string","enum":["celsius","fahrenheit"]}}}"""));

    [Fact]
    public async Task A_completion_has_the_default_reply_and_usage_counted_from_the_messages()
    {
        var completion = (await Chat().CompleteChatAsync([new SystemChatMessage("Be brief."), new UserChatMessage("Say hello")])).Value;

        var text = completion.Content[0].Text;
        Assert.StartsWith("IronAspire mock provider here.", text);
        Assert.Equal(ChatMessageRole.Assistant, completion.Role);
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        Assert.StartsWith("chatcmpl-", completion.Id);
        Assert.Equal("gpt-4o-mini", completion.Model);
        // 3 to prime the reply, then per message 3 + ceil(chars / 4): "Be brief." = 3, "Say hello" = 3.
        Assert.Equal(3 + (3 + 3) + (3 + 3), completion.Usage.InputTokenCount);
        Assert.Equal((text.Length + 3) / 4, completion.Usage.OutputTokenCount);
        Assert.Equal(48, completion.Usage.OutputTokenCount);
        Assert.Equal(completion.Usage.InputTokenCount + completion.Usage.OutputTokenCount, completion.Usage.TotalTokenCount);
        Assert.Equal(0, completion.Usage.InputTokenDetails.CachedTokenCount);
    }

    [Fact]
    public async Task The_raw_body_is_a_chat_completion_object()
    {
        using var response = await factory.PostAsync("/v1/chat/completions", Bodies.Chat("raw-shape"));
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("chat.completion", body["object"]!.GetValue<string>());
        Assert.True(body["created"]!.GetValue<long>() > 1_700_000_000);
        var choice = body["choices"]![0]!;
        Assert.Equal(0, choice["index"]!.GetValue<int>());
        Assert.Equal("assistant", choice["message"]!["role"]!.GetValue<string>());
        Assert.Equal("stop", choice["finish_reason"]!.GetValue<string>());
        Assert.Null(choice["message"]!["tool_calls"]);
        Assert.Equal(0, body["usage"]!["prompt_tokens_details"]!["cached_tokens"]!.GetValue<int>());
        Assert.NotNull(body["usage"]!["completion_tokens_details"]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(30)]
    public async Task Max_output_tokens_caps_the_reply(int max)
    {
        var completion = (await Chat().CompleteChatAsync([new UserChatMessage("Tell me a story")], new ChatCompletionOptions { MaxOutputTokenCount = max })).Value;

        Assert.True(completion.Usage.OutputTokenCount <= max, $"{completion.Usage.OutputTokenCount} > {max}");
        Assert.True(completion.Content[0].Text.Length <= max * 4);
        Assert.Equal((completion.Content[0].Text.Length + 3) / 4, completion.Usage.OutputTokenCount);
    }

    [Fact]
    public async Task The_legacy_max_tokens_field_caps_the_reply_too()
    {
        using var response = await factory.PostAsync("/v1/chat/completions", Bodies.Chat("legacy-max", maxTokens: 5));
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.True(body["usage"]!["completion_tokens"]!.GetValue<int>() <= 5);
    }

    [Fact]
    public async Task A_streamed_completion_sends_the_role_then_deltas_then_the_finish_reason_and_usage()
    {
        var updates = new List<StreamingChatCompletionUpdate>();
        await foreach (var update in Chat().CompleteChatStreamingAsync([new UserChatMessage("Say hello")]))
        {
            updates.Add(update);
        }

        var complete = (await Chat().CompleteChatAsync([new UserChatMessage("Say hello")])).Value;
        Assert.Equal(ChatMessageRole.Assistant, updates[0].Role);
        Assert.True(updates.Count(u => u.ContentUpdate.Count > 0) > 10, "one word per chunk by default");
        Assert.Equal(complete.Content[0].Text, string.Concat(updates.SelectMany(u => u.ContentUpdate).Select(p => p.Text)));
        Assert.Equal(ChatFinishReason.Stop, Assert.Single(updates, u => u.FinishReason is not null).FinishReason);
        // The SDK asks for stream_options.include_usage itself.
        var usage = Assert.Single(updates, u => u.Usage is not null).Usage;
        Assert.Equal(complete.Usage.InputTokenCount, usage.InputTokenCount);
        Assert.Equal(complete.Usage.OutputTokenCount, usage.OutputTokenCount);
        Assert.All(updates, u => Assert.StartsWith("chatcmpl-", u.CompletionId));
        Assert.Single(updates.Select(u => u.CompletionId).Distinct());
    }

    [Fact]
    public async Task Without_include_usage_the_stream_has_no_usage_chunk_and_ends_with_done()
    {
        using var response = await factory.PostAsync("/v1/chat/completions", Bodies.Chat("no-usage", stream: true, maxTokens: 10));
        var body = await response.Content.ReadAsStringAsync();
        var data = Bodies.DataLines(body);

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        Assert.DoesNotContain("\"usage\"", body);
        Assert.Equal("[DONE]", data[^1]);
        Assert.Equal("stop", JsonNode.Parse(data[^2])!["choices"]![0]!["finish_reason"]!.GetValue<string>());
        Assert.EndsWith("data: [DONE]\n\n", body);
    }

    [Fact]
    public async Task With_include_usage_a_chunk_with_no_choices_carries_the_usage_before_done()
    {
        using var response = await factory.PostAsync("/v1/chat/completions",
            Bodies.Chat("with-usage", stream: true, maxTokens: 10, extra: "\"stream_options\":{\"include_usage\":true}"));
        var data = Bodies.DataLines(await response.Content.ReadAsStringAsync());

        var usageChunk = JsonNode.Parse(data[^2])!;
        Assert.Equal("chat.completion.chunk", usageChunk["object"]!.GetValue<string>());
        Assert.Empty(usageChunk["choices"]!.AsArray());
        Assert.True(usageChunk["usage"]!["completion_tokens"]!.GetValue<int>() is > 0 and <= 10);
        Assert.All(data[..^2].Select(d => JsonNode.Parse(d)!), chunk => Assert.Null(chunk["usage"]));
    }

    [Fact]
    public async Task Required_tool_choice_gets_a_tool_call_with_arguments_from_the_schema()
    {
        var options = new ChatCompletionOptions { Tools = { Weather() }, ToolChoice = ChatToolChoice.CreateRequiredChoice() };

        var completion = (await Chat("gpt-4o").CompleteChatAsync([new UserChatMessage("What is the weather in Paris?")], options)).Value;

        Assert.Equal(ChatFinishReason.ToolCalls, completion.FinishReason);
        var call = Assert.Single(completion.ToolCalls);
        Assert.Equal("get_weather", call.FunctionName);
        Assert.StartsWith("call_", call.Id);
        var arguments = JsonDocument.Parse(call.FunctionArguments).RootElement;
        Assert.Equal("Paris", arguments.GetProperty("location").GetString());
        Assert.Equal(1, arguments.GetProperty("days").GetInt32());
        Assert.Equal("celsius", arguments.GetProperty("unit").GetString());
        Assert.True(completion.Usage.OutputTokenCount > 0);
    }

    [Fact]
    public async Task A_named_function_choice_or_call_in_the_text_gets_that_tool_and_none_gets_text()
    {
        var other = ChatTool.CreateFunctionTool("lookup_order", "Order status", BinaryData.FromString("""{"type":"object","properties":{"order_id":{"type":"string"}}}"""));
        var named = new ChatCompletionOptions { Tools = { Weather(), other }, ToolChoice = ChatToolChoice.CreateFunctionChoice("lookup_order") };
        var auto = new ChatCompletionOptions { Tools = { Weather(), other } };
        var none = new ChatCompletionOptions { Tools = { Weather(), other }, ToolChoice = ChatToolChoice.CreateNoneChoice() };

        var byChoice = (await Chat().CompleteChatAsync([new UserChatMessage("Where is my order?")], named)).Value;
        var byText = (await Chat().CompleteChatAsync([new UserChatMessage("Please call lookup_order for 42")], auto)).Value;
        var plain = (await Chat().CompleteChatAsync([new UserChatMessage("Just chat")], auto)).Value;
        var refused = (await Chat().CompleteChatAsync([new UserChatMessage("Please call lookup_order for 42")], none)).Value;

        Assert.Equal("lookup_order", Assert.Single(byChoice.ToolCalls).FunctionName);
        Assert.Equal("example", JsonDocument.Parse(byChoice.ToolCalls[0].FunctionArguments).RootElement.GetProperty("order_id").GetString());
        Assert.Equal("lookup_order", Assert.Single(byText.ToolCalls).FunctionName);
        Assert.Empty(plain.ToolCalls);
        Assert.Equal(ChatFinishReason.Stop, plain.FinishReason);
        Assert.Empty(refused.ToolCalls);
    }

    [Fact]
    public async Task A_streamed_tool_call_arrives_as_openai_sends_it_name_first_then_argument_pieces()
    {
        var options = new ChatCompletionOptions { Tools = { Weather() }, ToolChoice = ChatToolChoice.CreateRequiredChoice() };
        var names = new List<string>();
        var ids = new List<string>();
        var pieces = new List<string>();
        ChatFinishReason? finish = null;
        await foreach (var update in Chat().CompleteChatStreamingAsync([new UserChatMessage("Weather in Paris?")], options))
        {
            foreach (var part in update.ToolCallUpdates)
            {
                Assert.Equal(0, part.Index);
                if (part.FunctionName is { } name)
                {
                    names.Add(name);
                }

                if (part.ToolCallId is { } id)
                {
                    ids.Add(id);
                }

                if (part.FunctionArgumentsUpdate is { } args && !args.ToMemory().IsEmpty)
                {
                    pieces.Add(args.ToString());
                }
            }

            finish ??= update.FinishReason;
        }

        Assert.Equal(["get_weather"], names);
        Assert.Single(ids);
        Assert.True(pieces.Count > 1, "the arguments arrive in several pieces");
        Assert.Equal("Paris", JsonDocument.Parse(string.Concat(pieces)).RootElement.GetProperty("location").GetString());
        Assert.Equal(ChatFinishReason.ToolCalls, finish);
    }

    [Fact]
    public async Task The_chunk_size_header_groups_words_per_chunk()
    {
        using var one = await factory.PostAsync("/v1/chat/completions", Bodies.Chat("chunks", stream: true, maxTokens: 20));
        using var three = await factory.PostAsync("/v1/chat/completions", Bodies.Chat("chunks", stream: true, maxTokens: 20), (RequestControls.ChunkSizeHeader, "3"));

        static List<string> Deltas(string body) => Bodies.DataLines(body)[1..^2]
            .Select(d => JsonNode.Parse(d)!["choices"]![0]!["delta"]!["content"]!.GetValue<string>()).ToList();
        var single = Deltas(await one.Content.ReadAsStringAsync());
        var grouped = Deltas(await three.Content.ReadAsStringAsync());

        Assert.Equal(string.Concat(single), string.Concat(grouped));
        Assert.Equal((single.Count + 2) / 3, grouped.Count);
    }
}
