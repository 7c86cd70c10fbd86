using System.Text.Json;
using System.Text.Json.Nodes;

namespace IronAspire.Router.Proxy.Streams;

/// <summary>
/// Anthropic message streams: input usage from message_start, output usage from message_delta, redaction of
/// text_delta, and what a block held back emitted as one more text_delta just before its content_block_stop.
/// </summary>
/// <remarks>Each event is read as a JSON document over its own bytes; a text delta the redactor changed has its text
/// spliced into those bytes.</remarks>
public sealed class AnthropicStreamProcessor(IResponseRedaction? redaction) : StreamProcessor(redaction)
{
    private readonly List<JsonEdit> _edits = new(1);
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

                            if (!evt.TryGetDataUtf8(out var json) || DeltaText(json) is not { } token)
                            {
                                // A decoded payload (no bytes of its own), or a shape the scan does not take: rebuilt.
                                var rebuilt = ParseObject(evt.Data)!;
                                rebuilt["delta"]!["text"] = safe;
                                evt.Data = rebuilt.ToJsonString();
                            }
                            else
                            {
                                _edits.Clear();
                                _edits.Add(token with { Text = safe });
                                Splice(evt, json, _edits);
                            }
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
    private static string BlockKey(JsonElement data) => IndexKey(data.Int("index"u8));

    /// <summary>
    /// The <c>delta.text</c> string token in the event's bytes (with its quotes); null when it is not there exactly once
    /// — a repeated key could make the bytes differ from what the document read and redacted.
    /// </summary>
    private static JsonEdit? DeltaText(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        JsonEdit? found = null;
        var sawDelta = false;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (!reader.ValueTextEquals("delta"u8))
                {
                    reader.Skip();
                    continue;
                }

                reader.Read();
                if (sawDelta || reader.TokenType != JsonTokenType.StartObject)
                {
                    return null;
                }

                sawDelta = true;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (!reader.ValueTextEquals("text"u8))
                    {
                        reader.Skip();
                        continue;
                    }

                    reader.Read();
                    if (found is not null || reader.TokenType != JsonTokenType.String)
                    {
                        return null;
                    }

                    found = new JsonEdit((int)reader.TokenStartIndex, reader.ValueSpan.Length + 2, null);
                }
            }

            return reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == 0 ? found : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The element's <c>usage</c> object as a node over it (valid while its document is), for <see cref="UsageReader"/>.</summary>
    private static JsonObject? UsageObject(JsonElement element) =>
        element.Property("usage"u8) is { ValueKind: JsonValueKind.Object } usage ? JsonObject.Create(usage) : null;
}
