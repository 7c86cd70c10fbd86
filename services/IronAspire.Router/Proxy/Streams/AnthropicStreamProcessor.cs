using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace IronAspire.Router.Proxy.Streams;

/// <summary>
/// Anthropic message streams: input usage from message_start, output usage from message_delta, redaction of
/// text_delta, and what a block held back emitted as one more text_delta just before its content_block_stop.
/// </summary>
/// <remarks>Each event is read as a JSON document over its own bytes; only a text delta the redactor changed is rebuilt.</remarks>
public sealed class AnthropicStreamProcessor(IResponseRedaction? redaction) : StreamProcessor(redaction)
{
    private TokenUsage _usage;

    public override void Process(SseEvent evt, List<SseEvent> output)
    {
        using (var document = evt.ParseJson())
        {
            var data = document?.RootElement ?? default;
            switch (data.String("type"u8))
            {
                case "message_start":
                    if (UsageReader.Read(Node(data.Property("message"u8).Property("usage"u8))) is { } start)
                    {
                        _usage = start;
                        Usage = _usage;
                    }

                    break;

                case "message_delta":
                    if (Node(data.Property("usage"u8)) is { } deltaUsage)
                    {
                        // message_delta's usage is cumulative; input fields appear there only in newer API versions.
                        var read = UsageReader.Read(deltaUsage) ?? default;
                        _usage = new TokenUsage(
                            Math.Max(_usage.InputTokens, read.InputTokens),
                            Math.Max(_usage.CachedInputTokens, read.CachedInputTokens),
                            read.OutputTokens,
                            Math.Max(_usage.CacheWriteInputTokens, read.CacheWriteInputTokens));
                        Usage = _usage;
                    }

                    break;

                case "content_block_delta":
                    var delta = data.Property("delta"u8);
                    if (delta.String("type"u8) == "text_delta" && delta.String("text"u8) is { } text)
                    {
                        var safe = Delta(BlockKey(data), text);
                        if (safe != text)
                        {
                            if (safe.Length == 0)
                            {
                                return; // all held back; an empty delta would be noise
                            }

                            var rebuilt = JsonNode.Parse(data.GetRawText())!;
                            rebuilt["delta"]!["text"] = safe;
                            evt.Data = rebuilt.ToJsonString();
                        }
                    }

                    break;

                case "content_block_stop" when Redacting:
                    var held = EndText(BlockKey(data));
                    if (held.Length > 0)
                    {
                        var flush = new JsonObject
                        {
                            ["type"] = "content_block_delta",
                            ["index"] = Node(data.Property("index"u8)),
                            ["delta"] = new JsonObject { ["type"] = "text_delta", ["text"] = held },
                        };
                        output.Add(new SseEvent("content_block_delta", flush.ToJsonString()));
                    }

                    break;
            }
        }

        output.Add(evt);
    }

    /// <summary>The text stream of a content block: its index.</summary>
    private static string BlockKey(JsonElement data) =>
        data.Property("index"u8) is { ValueKind: JsonValueKind.Number } index && index.TryGetInt32(out var number)
            ? number.ToString(CultureInfo.InvariantCulture)
            : "0";

    /// <summary>A copy of the element as a node (the few events that need one: usage, a flushed block's index).</summary>
    private static JsonNode? Node(JsonElement element) =>
        element.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null ? null : JsonNode.Parse(element.GetRawText());
}
