using System.Text.Json;
using System.Text.Json.Nodes;

namespace IronAspire.Router.Proxy.Streams;

/// <summary>
/// Anthropic message streams: input usage from message_start, output usage from message_delta, redaction of
/// text_delta, and what a block held back emitted as one more text_delta just before its content_block_stop.
/// </summary>
public sealed class AnthropicStreamProcessor(IResponseRedaction? redaction) : StreamProcessor(redaction)
{
    private TokenUsage _usage;

    public override void Process(SseEvent evt, List<SseEvent> output)
    {
        var data = ParseObject(evt.Data);
        var type = data?["type"]?.GetValue<string>();
        switch (type)
        {
            case "message_start":
                if (UsageReader.Read(data!["message"]?["usage"]) is { } start)
                {
                    _usage = start;
                    Usage = _usage;
                }

                break;

            case "message_delta":
                if (data!["usage"] is JsonObject deltaUsage)
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
                if (data!["delta"] is JsonObject delta && delta["type"]?.GetValue<string>() == "text_delta"
                    && delta["text"] is JsonValue textNode && textNode.GetValueKind() == JsonValueKind.String)
                {
                    var key = data["index"]?.ToJsonString() ?? "0";
                    var text = textNode.GetValue<string>();
                    var safe = Delta(key, text);
                    if (safe != text)
                    {
                        if (safe.Length == 0)
                        {
                            return; // all held back; an empty delta would be noise
                        }

                        delta["text"] = safe;
                        evt.Data = data.ToJsonString();
                    }
                }

                break;

            case "content_block_stop" when Redacting:
                var index = data!["index"]?.ToJsonString() ?? "0";
                var held = EndText(index);
                if (held.Length > 0)
                {
                    var flush = new JsonObject
                    {
                        ["type"] = "content_block_delta",
                        ["index"] = data["index"]?.DeepClone(),
                        ["delta"] = new JsonObject { ["type"] = "text_delta", ["text"] = held },
                    };
                    output.Add(new SseEvent("content_block_delta", flush.ToJsonString()));
                }

                break;
        }

        output.Add(evt);
    }
}
