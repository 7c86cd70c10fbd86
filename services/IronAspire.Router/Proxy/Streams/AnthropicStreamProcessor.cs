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
                    if (UsageReader.Read(UsageObject(data.Property("message"u8))) is { } start)
                    {
                        _usage = start;
                        Usage = _usage;
                    }

                    break;

                case "message_delta":
                    if (UsageObject(data) is { } deltaUsage)
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

                            var rebuilt = ParseObject(evt.Data)!;
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
                            ["index"] = data.Int("index"u8),
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
    private static string BlockKey(JsonElement data) => data.Int("index"u8).ToString(CultureInfo.InvariantCulture);

    /// <summary>The element's <c>usage</c> object as a node over it (valid while its document is), for <see cref="UsageReader"/>.</summary>
    private static JsonObject? UsageObject(JsonElement element) =>
        element.Property("usage"u8) is { ValueKind: JsonValueKind.Object } usage ? JsonObject.Create(usage) : null;
}
