using System.Text.Json.Nodes;
using IronAspire.Router.Proxy;
using IronAspire.Router.Proxy.Streams;
using IronAspire.Router.Proxy.Translation;

namespace IronAspire.Router.Tests;

/// <summary>
/// The translation table on inputs the MockProvider never produces: parallel tool calls and their results, cache reads
/// and writes in usage, error events, and that every provider event leaves at once (nothing waits for the end).
/// </summary>
public class TranslationTests
{
    private static List<SseEvent> Run(StreamProcessor processor, IEnumerable<SseEvent> upstream, List<int>? perEvent = null)
    {
        var output = new List<SseEvent>();
        foreach (var evt in upstream)
        {
            var before = output.Count;
            processor.Process(evt, output);
            perEvent?.Add(output.Count - before);
        }

        processor.Complete(output);
        return output;
    }

    /// <summary>An Anthropic event as the Router reads it off the wire (the payload a slice of the provider's bytes).</summary>
    private static SseEvent Anthropic(string json) =>
        SseEvent.Parse(System.Text.Encoding.UTF8.GetBytes($"event: {JsonNode.Parse(json)!["type"]!.GetValue<string>()}\ndata: {json}\n"));

    /// <summary>An OpenAI chunk as the Router reads it off the wire.</summary>
    private static SseEvent OpenAI(string json) => SseEvent.Parse(System.Text.Encoding.UTF8.GetBytes($"data: {json}\n"));

    private static SseEvent Data(string json) => new(null, json);

    [Fact]
    public void Anthropic_parallel_tool_calls_stream_as_two_openai_tool_calls_with_cache_usage()
    {
        var upstream = new[]
        {
            Anthropic("""{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4","content":[],"usage":{"input_tokens":10,"cache_read_input_tokens":100,"cache_creation_input_tokens":50,"output_tokens":1}}}"""),
            Anthropic("""{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"""),
            Anthropic("""{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Checking both."}}"""),
            Anthropic("""{"type":"content_block_stop","index":0}"""),
            Anthropic("""{"type":"ping"}"""),
            Anthropic("""{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_a","name":"get_weather","input":{}}}"""),
            Anthropic("""{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"city\":"}}"""),
            Anthropic("""{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"\"Paris\"}"}}"""),
            Anthropic("""{"type":"content_block_stop","index":1}"""),
            Anthropic("""{"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_b","name":"get_weather","input":{}}}"""),
            Anthropic("""{"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{\"city\":\"Rome\"}"}}"""),
            Anthropic("""{"type":"content_block_stop","index":2}"""),
            Anthropic("""{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":42}}"""),
            Anthropic("""{"type":"message_stop"}"""),
        };
        var processor = DialectTranslation.StreamProcessor(LlmOperation.ChatCompletions, new OpenAIChatStreamProcessor(null, hideUsageChunk: false), 1_700_000_000);
        var perEvent = new List<int>();
        var output = Run(processor, upstream, perEvent);

        // Every content event leaves when it arrives; pings and block starts/stops of text give nothing.
        Assert.Equal([1, 0, 1, 0, 0, 1, 1, 1, 0, 1, 1, 0, 1, 2], perEvent);
        var chunks = output.Where(e => e.Data != "[DONE]").Select(e => JsonNode.Parse(e.Data)!).ToList();
        Assert.All(chunks, c => Assert.Equal("chat.completion.chunk", c["object"]!.GetValue<string>()));
        Assert.Equal("assistant", chunks[0]["choices"]![0]!["delta"]!["role"]!.GetValue<string>());
        Assert.Equal("Checking both.", chunks[1]["choices"]![0]!["delta"]!["content"]!.GetValue<string>());

        var toolDeltas = chunks.SelectMany(c => c["choices"]?.AsArray() ?? []).SelectMany(c => c!["delta"]?["tool_calls"]?.AsArray() ?? []).ToList();
        Assert.Equal("toolu_a", toolDeltas[0]!["id"]!.GetValue<string>());
        Assert.Equal(0, toolDeltas[0]!["index"]!.GetValue<int>());
        Assert.Equal("toolu_b", toolDeltas.Single(t => t!["id"] is not null && t["id"]!.GetValue<string>() == "toolu_b")!["id"]!.GetValue<string>());
        string Arguments(int index) => string.Concat(toolDeltas.Where(t => t!["index"]!.GetValue<int>() == index).Select(t => t!["function"]!["arguments"]!.GetValue<string>()));
        Assert.Equal("""{"city":"Paris"}""", Arguments(0));
        Assert.Equal("""{"city":"Rome"}""", Arguments(1));

        Assert.Equal("tool_calls", chunks[^2]["choices"]![0]!["finish_reason"]!.GetValue<string>());
        var usage = chunks[^1]["usage"]!;
        Assert.Equal(160, usage["prompt_tokens"]!.GetValue<long>());
        Assert.Equal(100, usage["prompt_tokens_details"]!["cached_tokens"]!.GetValue<long>());
        Assert.Equal(50, usage["prompt_tokens_details"]!["cache_creation_input_tokens"]!.GetValue<long>());
        Assert.Equal(42, usage["completion_tokens"]!.GetValue<long>());
        Assert.Equal("[DONE]", output[^1].Data);

        // Billed as the provider reported it, cache writes included.
        Assert.Equal(new TokenUsage(160, 100, 42, 50), processor.Usage);
    }

    [Fact]
    public void OpenAI_parallel_tool_calls_stream_as_two_anthropic_tool_use_blocks_and_usage_ends_the_message()
    {
        var upstream = new[]
        {
            Data("""{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}"""),
            Data("""{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"content":"Both:"},"finish_reason":null}]}"""),
            Data("""{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"get_weather","arguments":""}}]},"finish_reason":null}]}"""),
            Data("""{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":\"Paris\"}"}}]},"finish_reason":null}]}"""),
            Data("""{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_b","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Rome\"}"}}]},"finish_reason":null}]}"""),
            Data("""{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}"""),
            Data("""{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[],"usage":{"prompt_tokens":120,"completion_tokens":30,"total_tokens":150,"prompt_tokens_details":{"cached_tokens":64}}}"""),
            Data("[DONE]"),
        };
        var processor = DialectTranslation.StreamProcessor(LlmOperation.Messages, new AnthropicStreamProcessor(null), 0);
        var output = Run(processor, upstream);

        Assert.Equal(
            ["message_start", "content_block_start", "content_block_delta", "content_block_stop", "content_block_start", "content_block_delta",
             "content_block_stop", "content_block_start", "content_block_delta", "content_block_stop", "message_delta", "message_stop"],
            output.Select(e => e.Name));
        var data = output.Select(e => JsonNode.Parse(e.Data)!).ToList();
        Assert.Equal("text", data[1]["content_block"]!["type"]!.GetValue<string>());
        Assert.Equal("call_a", data[4]["content_block"]!["id"]!.GetValue<string>());
        Assert.Equal(1, data[4]["index"]!.GetValue<int>());
        Assert.Equal("""{"city":"Paris"}""", data[5]["delta"]!["partial_json"]!.GetValue<string>());
        Assert.Equal("call_b", data[7]["content_block"]!["id"]!.GetValue<string>());
        Assert.Equal(2, data[8]["index"]!.GetValue<int>());
        Assert.Equal("tool_use", data[10]["delta"]!["stop_reason"]!.GetValue<string>());
        var usage = data[10]["usage"]!;
        Assert.Equal(56, usage["input_tokens"]!.GetValue<long>());
        Assert.Equal(64, usage["cache_read_input_tokens"]!.GetValue<long>());
        Assert.Equal(30, usage["output_tokens"]!.GetValue<long>());
        Assert.Equal(new TokenUsage(120, 64, 30), processor.Usage);
    }

    [Fact]
    public void Parallel_tool_results_become_one_user_turn_and_back()
    {
        var chat = JsonNode.Parse("""
            {"model":"claude-sonnet-4","messages":[
              {"role":"user","content":"Weather in Paris and Rome?"},
              {"role":"assistant","content":null,"tool_calls":[
                {"id":"toolu_a","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}},
                {"id":"toolu_b","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Rome\"}"}}]},
              {"role":"tool","tool_call_id":"toolu_a","content":"Sunny"},
              {"role":"tool","tool_call_id":"toolu_b","content":"Rain"}],
             "tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}}],
             "parallel_tool_calls":false,"tool_choice":"auto"}
            """)!.AsObject();
        var (messages, refusal) = ChatToMessagesRequest.Translate(chat, "claude-sonnet-4", 100);
        Assert.Null(refusal);
        var turns = messages!["messages"]!.AsArray();
        Assert.Equal(3, turns.Count);
        Assert.Equal(["tool_use", "tool_use"], turns[1]!["content"]!.AsArray().Select(b => b!["type"]!.GetValue<string>()));
        Assert.Equal("Rome", turns[1]!["content"]![1]!["input"]!["city"]!.GetValue<string>());
        Assert.Equal(["toolu_a", "toolu_b"], turns[2]!["content"]!.AsArray().Select(b => b!["tool_use_id"]!.GetValue<string>()));
        Assert.True(messages["tool_choice"]!["disable_parallel_tool_use"]!.GetValue<bool>());

        // And the Anthropic form back to Chat Completions: one tool message per result, in order.
        var (back, backRefusal) = MessagesToChatRequest.Translate(messages, "gpt-4o", 100);
        Assert.Null(backRefusal);
        var chatMessages = back!["messages"]!.AsArray();
        Assert.Equal(["user", "assistant", "tool", "tool"], chatMessages.Select(m => m!["role"]!.GetValue<string>()));
        Assert.Equal(2, chatMessages[1]!["tool_calls"]!.AsArray().Count);
        Assert.Equal("Rain", chatMessages[3]!["content"]!.GetValue<string>());
        Assert.False(back["parallel_tool_calls"]!.GetValue<bool>());
    }

    [Fact]
    public void Whole_answers_translate_with_their_tool_calls_stop_reasons_and_usage()
    {
        var message = JsonNode.Parse("""
            {"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4","stop_reason":"max_tokens","content":[
              {"type":"text","text":"Partial"},{"type":"tool_use","id":"toolu_a","name":"f","input":{"x":1}}],
             "usage":{"input_tokens":5,"cache_read_input_tokens":7,"cache_creation_input_tokens":3,"output_tokens":9}}
            """)!.AsObject();
        var completion = ResponseTranslation.MessageToChatCompletion(message, 1);
        var choice = completion["choices"]![0]!;
        Assert.Equal("length", choice["finish_reason"]!.GetValue<string>());
        Assert.Equal("Partial", choice["message"]!["content"]!.GetValue<string>());
        Assert.Equal("""{"x":1}""", choice["message"]!["tool_calls"]![0]!["function"]!["arguments"]!.GetValue<string>());
        Assert.Equal(15, completion["usage"]!["prompt_tokens"]!.GetValue<long>());
        Assert.Equal(7, completion["usage"]!["prompt_tokens_details"]!["cached_tokens"]!.GetValue<long>());

        var back = ResponseTranslation.ChatCompletionToMessage(completion);
        Assert.Equal("max_tokens", back["stop_reason"]!.GetValue<string>());
        Assert.Equal(["text", "tool_use"], back["content"]!.AsArray().Select(b => b!["type"]!.GetValue<string>()));
        Assert.Equal(1, back["content"]![1]!["input"]!["x"]!.GetValue<int>());
        Assert.Equal(5, back["usage"]!["input_tokens"]!.GetValue<long>());
        Assert.Equal(7, back["usage"]!["cache_read_input_tokens"]!.GetValue<long>());
        Assert.Equal(3, back["usage"]!["cache_creation_input_tokens"]!.GetValue<long>());
    }

    /// <summary>Replaces "secret" by "[X]", holding back everything until the text ends (the simplest safe stream redactor).</summary>
    private sealed class SecretRedaction : IResponseRedaction
    {
        public string Redact(string text) => text.Replace("secret", "[X]");

        public ITextStreamRedactor OpenStream() => new Held(this);

        private sealed class Held(SecretRedaction owner) : ITextStreamRedactor
        {
            private string _text = "";

            public string Push(string delta)
            {
                _text += delta;
                return "";
            }

            public string Flush() => owner.Redact(_text);
        }
    }

    [Fact]
    public void The_response_PII_policy_applies_to_translated_streams_across_deltas()
    {
        var toChat = Run(DialectTranslation.StreamProcessor(LlmOperation.ChatCompletions, new OpenAIChatStreamProcessor(new SecretRedaction(), false), 0),
        [
            Anthropic("""{"type":"message_start","message":{"id":"m","model":"claude-sonnet-4","usage":{"input_tokens":1,"output_tokens":1}}}"""),
            Anthropic("""{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"""),
            Anthropic("""{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"the sec"}}"""),
            Anthropic("""{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"ret is out"}}"""),
            Anthropic("""{"type":"content_block_stop","index":0}"""),
            Anthropic("""{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":4}}"""),
            Anthropic("""{"type":"message_stop"}"""),
        ]);
        var chatText = string.Concat(toChat.Where(e => e.Data != "[DONE]")
            .Select(e => JsonNode.Parse(e.Data)!["choices"]?.AsArray().FirstOrDefault()?["delta"]?["content"]?.GetValue<string>()));
        Assert.Equal("the [X] is out", chatText);

        var toMessages = Run(DialectTranslation.StreamProcessor(LlmOperation.Messages, new AnthropicStreamProcessor(new SecretRedaction()), 0),
        [
            Data("""{"id":"c","object":"chat.completion.chunk","model":"gpt-4o","choices":[{"index":0,"delta":{"content":"the sec"},"finish_reason":null}]}"""),
            Data("""{"id":"c","object":"chat.completion.chunk","model":"gpt-4o","choices":[{"index":0,"delta":{"content":"ret is out"},"finish_reason":null}]}"""),
            Data("""{"id":"c","object":"chat.completion.chunk","model":"gpt-4o","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"""),
            Data("[DONE]"),
        ]);
        var messageText = string.Concat(toMessages.Where(e => e.Name == "content_block_delta")
            .Select(e => JsonNode.Parse(e.Data)!["delta"]!["text"]!.GetValue<string>()));
        Assert.Equal("the [X] is out", messageText);
    }

    [Fact]
    public void Anthropic_events_with_fields_of_the_wrong_kind_are_passed_over_without_failing_the_stream()
    {
        var processor = DialectTranslation.StreamProcessor(LlmOperation.ChatCompletions, new OpenAIChatStreamProcessor(null, hideUsageChunk: false), 0);
        var output = Run(processor,
        [
            Anthropic("""{"type":"message_start","message":{"id":7,"model":["x"],"usage":{"input_tokens":"ten"}}}"""),
            Anthropic("""{"type":"content_block_start","index":"one","content_block":{"type":"tool_use","id":null,"name":3}}"""),
            Anthropic("""{"type":"content_block_delta","index":0.5,"delta":{"type":"text_delta","text":"still here"}}"""),
            Anthropic("""{"type":"content_block_delta","index":0,"delta":"not an object"}"""),
            Anthropic("""{"type":"message_delta","delta":{"stop_reason":5},"usage":{"output_tokens":2}}"""),
            Anthropic("""{"type":"message_stop"}"""),
        ]);

        var chunks = output.Where(e => e.Data != "[DONE]").Select(e => JsonNode.Parse(e.Data)!).ToList();
        Assert.Null(chunks[0]["model"]);
        Assert.StartsWith("chatcmpl-", chunks[0]["id"]!.GetValue<string>(), StringComparison.Ordinal);
        var tool = chunks[1]["choices"]![0]!["delta"]!["tool_calls"]![0]!;
        Assert.Equal(3, tool["function"]!["name"]!.GetValue<int>()); // copied as the provider sent it
        Assert.Equal("still here", chunks[2]["choices"]![0]!["delta"]!["content"]!.GetValue<string>());
        Assert.Equal("stop", chunks[3]["choices"]![0]!["finish_reason"]!.GetValue<string>());
        Assert.Equal(2, chunks[4]["usage"]!["completion_tokens"]!.GetValue<long>());
        Assert.Equal("[DONE]", output[^1].Data);
    }

    [Fact]
    public void OpenAI_chunks_with_fields_of_the_wrong_kind_are_passed_over_without_failing_the_stream()
    {
        var processor = DialectTranslation.StreamProcessor(LlmOperation.Messages, new AnthropicStreamProcessor(null), 0);
        var output = Run(processor,
        [
            OpenAI("""{"id":7,"model":["x"],"choices":[{"index":"zero","delta":{"role":"assistant","content":5},"finish_reason":null}]}"""),
            OpenAI("""{"choices":[{"index":0,"delta":{"tool_calls":[{"index":"one","id":7,"function":{"name":3,"arguments":5}}]}}]}"""),
            OpenAI("""{"choices":[{"index":0,"delta":{"tool_calls":"not an array","content":"still here"}}]}"""),
            OpenAI("""{"choices":"not an array","usage":"none"}"""),
            OpenAI("""{"choices":[{"index":0,"delta":"not an object","finish_reason":5}]}"""),
            OpenAI("""{"choices":[],"usage":{"prompt_tokens":"ten","completion_tokens":2}}"""),
            OpenAI("[DONE]"),
        ]);

        Assert.Equal(
            ["message_start", "content_block_start", "content_block_stop", "content_block_start", "content_block_delta", "content_block_stop",
             "message_delta", "message_stop"],
            output.Select(e => e.Name));
        var data = output.Select(e => JsonNode.Parse(e.Data)!).ToList();
        Assert.StartsWith("msg_", data[0]["message"]!["id"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Null(data[0]["message"]!["model"]);
        Assert.Equal("tool_use", data[1]["content_block"]!["type"]!.GetValue<string>());
        Assert.Null(data[1]["content_block"]!["name"]);
        Assert.Equal("still here", data[4]["delta"]!["text"]!.GetValue<string>());
        Assert.Equal("end_turn", data[6]["delta"]!["stop_reason"]!.GetValue<string>());
        Assert.Equal(2, data[6]["usage"]!["output_tokens"]!.GetValue<long>());
    }

    [Fact]
    public void A_provider_error_event_mid_stream_becomes_the_clients_error_format()
    {
        var toChat = Run(DialectTranslation.StreamProcessor(LlmOperation.ChatCompletions, new OpenAIChatStreamProcessor(null, false), 0),
            [Anthropic("""{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}""")]);
        Assert.Equal("Overloaded", JsonNode.Parse(Assert.Single(toChat).Data)!["error"]!["message"]!.GetValue<string>());

        var toMessages = Run(DialectTranslation.StreamProcessor(LlmOperation.Messages, new AnthropicStreamProcessor(null), 0),
            [Data("""{"error":{"message":"Server error","type":"server_error"}}""")]);
        var error = Assert.Single(toMessages);
        Assert.Equal("error", error.Name);
        Assert.Equal("Server error", JsonNode.Parse(error.Data)!["error"]!["message"]!.GetValue<string>());
    }
}
