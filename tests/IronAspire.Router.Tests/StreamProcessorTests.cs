using System.Text.Json.Nodes;
using IronAspire.Router.Proxy;
using IronAspire.Router.Proxy.Streams;

namespace IronAspire.Router.Tests;

public class StreamProcessorTests
{
    /// <summary>A redactor that replaces "secret" and holds back a tail that could be the start of it.</summary>
    private sealed class WordRedaction : IResponseRedaction
    {
        public string Redact(string text) => text.Replace("secret", "[X]");

        public ITextStreamRedactor OpenStream() => new Stream(this);

        private sealed class Stream(WordRedaction owner) : ITextStreamRedactor
        {
            private string _held = "";

            public string Push(string delta)
            {
                var text = owner.Redact(_held + delta);
                var keep = 0;
                for (var n = Math.Min(5, text.Length); n > 0; n--)
                {
                    if ("secret".StartsWith(text[^n..], StringComparison.Ordinal))
                    {
                        keep = n;
                        break;
                    }
                }

                _held = text[^keep..];
                return text[..^keep];
            }

            public string Flush()
            {
                var rest = owner.Redact(_held);
                _held = "";
                return rest;
            }
        }
    }

    private static List<SseEvent> Run(StreamProcessor processor, params SseEvent[] events)
    {
        var output = new List<SseEvent>();
        foreach (var evt in events)
        {
            processor.Process(evt, output);
        }

        processor.Complete(output);
        return output;
    }

    private static SseEvent Chunk(string? content, string? finish = null) => new(null, new JsonObject
    {
        ["object"] = "chat.completion.chunk",
        ["choices"] = new JsonArray(new JsonObject
        {
            ["index"] = 0,
            ["delta"] = content is null ? new JsonObject() : new JsonObject { ["content"] = content },
            ["finish_reason"] = finish,
        }),
    }.ToJsonString());

    [Fact]
    public void OpenAI_usage_chunk_the_router_added_is_read_and_hidden()
    {
        var processor = new OpenAIChatStreamProcessor(null, hideUsageChunk: true);

        var output = Run(processor,
            Chunk("Hi"),
            Chunk(null, "stop"),
            new SseEvent(null, """{"object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}}"""),
            new SseEvent(null, "[DONE]"));

        Assert.Equal(new TokenUsage(5, 0, 2), processor.Usage);
        Assert.Equal(3, output.Count);
        Assert.DoesNotContain(output, e => e.Data.Contains("usage"));
        Assert.Equal("[DONE]", output[^1].Data);
    }

    [Fact]
    public void OpenAI_usage_chunk_the_client_asked_for_is_kept()
    {
        var processor = new OpenAIChatStreamProcessor(null, hideUsageChunk: false);

        var output = Run(processor, new SseEvent(null, """{"choices":[],"usage":{"prompt_tokens":5,"completion_tokens":2}}"""));

        Assert.Single(output);
        Assert.Equal(new TokenUsage(5, 0, 2), processor.Usage);
    }

    [Fact]
    public void A_value_split_across_openai_chunks_is_redacted_and_no_fragment_is_emitted()
    {
        var processor = new OpenAIChatStreamProcessor(new WordRedaction(), hideUsageChunk: false);

        var output = Run(processor, Chunk("my se"), Chunk("cr"), Chunk("et is out"), Chunk(" sec", "stop"));

        var text = string.Concat(output.Select(e => JsonNode.Parse(e.Data)!["choices"]![0]!["delta"]!["content"]?.GetValue<string>() ?? ""));
        Assert.Equal("my [X] is out sec", text);
        Assert.All(output, e => Assert.DoesNotContain("se\"", e.Data.Replace("sec\"", "")));
    }

    [Fact]
    public void OpenAI_chunks_with_null_usage_are_spliced_in_the_providers_bytes_and_the_usage_chunk_is_still_read()
    {
        // As OpenAI streams with include_usage: "usage": null in every chunk but the last. A chunk whose delta the policy
        // changes keeps everything else as the provider wrote it (spacing, escapes): it was spliced, not parsed into a
        // tree and serialised again. The null usage is the Router's doing (it asked for usage), so it goes too.
        var processor = new OpenAIChatStreamProcessor(new WordRedaction(), hideUsageChunk: true);

        var output = Run(processor,
            Sent("""{"id": "c1", "model":"gpt-4o", "note":"caf\u00e9", "choices":[{"index":0,"delta":{"content":"my secret <b>"},"finish_reason":null}], "usage": null}"""),
            Sent("""{"usage":null, "id": "c1", "choices":[{"index":0,"delta":{"content":"ok"},"finish_reason":null}]}"""),
            Sent("""{"id": "c1", "choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":null}"""),
            Sent("""{"id": "c1", "choices":[],"usage":{"prompt_tokens":5,"completion_tokens":4,"total_tokens":9}}"""),
            Sent("[DONE]"));

        Assert.Equal("""{"id": "c1", "model":"gpt-4o", "note":"caf\u00e9", "choices":[{"index":0,"delta":{"content":"my [X] \u003Cb\u003E"},"finish_reason":null}]}""", output[0].Data);
        Assert.Equal("""{"id": "c1", "choices":[{"index":0,"delta":{"content":"ok"},"finish_reason":null}]}""", output[1].Data);
        Assert.Equal("""{"id": "c1", "choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}""", output[2].Data);
        Assert.Equal(new TokenUsage(5, 0, 4), processor.Usage);
        Assert.Equal(4, output.Count);
        Assert.Equal("[DONE]", output[^1].Data);
    }

    [Fact]
    public void A_client_that_asked_for_usage_gets_openais_null_usage_as_it_came()
    {
        var processor = new OpenAIChatStreamProcessor(new WordRedaction(), hideUsageChunk: false);
        const string chunk = """{"id":"c1","choices":[{"index":0,"delta":{"content":"ok"},"finish_reason":null}],"usage":null}""";

        var output = Run(processor, Sent(chunk));

        Assert.Equal(chunk, output[0].Data);
    }

    private static SseEvent Sent(string json) => SseEvent.Parse(System.Text.Encoding.UTF8.GetBytes("data: " + json + "\n"));

    [Fact]
    public void Anthropic_usage_comes_from_message_start_and_message_delta()
    {
        var processor = new AnthropicStreamProcessor(null);

        Run(processor,
            new SseEvent("message_start", """{"type":"message_start","message":{"usage":{"input_tokens":25,"output_tokens":1}}}"""),
            new SseEvent("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}"""),
            new SseEvent("message_delta", """{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":15}}"""));

        Assert.Equal(new TokenUsage(25, 0, 15), processor.Usage);
        Assert.Equal(5, processor.StreamedTextBytes);
    }

    [Fact]
    public void An_anthropic_delta_read_off_the_wire_has_only_its_text_replaced()
    {
        var processor = new AnthropicStreamProcessor(new WordRedaction());
        var wire = """{"type":"content_block_delta", "index":0,"delta":{"type":"text_delta","text":"a secret \"q\" \u00e9 ok"},"extra":{"k":[1, 2]}}""";

        var output = Run(processor, SseEvent.Parse(System.Text.Encoding.UTF8.GetBytes($"event: content_block_delta\ndata: {wire}\n")));

        Assert.True(output[0].TryGetDataUtf8(out var spliced));
        // Everything but the text token is the provider's bytes; the text is the redactor's.
        Assert.Equal("""{"type":"content_block_delta", "index":0,"delta":{"type":"text_delta","text":"a [X] \u0022q\u0022 \u00E9 ok"},"extra":{"k":[1, 2]}}""",
            System.Text.Encoding.UTF8.GetString(spliced));
        Assert.Equal("a [X] \"q\" é ok", JsonNode.Parse(output[0].Data)!["delta"]!["text"]!.GetValue<string>());
    }

    [Fact]
    public void Anthropic_held_back_text_is_flushed_before_the_block_stops()
    {
        var processor = new AnthropicStreamProcessor(new WordRedaction());

        var output = Run(processor,
            new SseEvent("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a secret and a sec"}}"""),
            new SseEvent("content_block_stop", """{"type":"content_block_stop","index":0}"""));

        Assert.Equal(["content_block_delta", "content_block_delta", "content_block_stop"], output.Select(e => e.Name));
        var text = string.Concat(output.Take(2).Select(e => JsonNode.Parse(e.Data)!["delta"]!["text"]!.GetValue<string>()));
        Assert.Equal("a [X] and a sec", text);
    }
}
