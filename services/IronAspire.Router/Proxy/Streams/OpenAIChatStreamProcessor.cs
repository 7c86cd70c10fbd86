using System.Text.Json;
using System.Text.Json.Nodes;

namespace IronAspire.Router.Proxy.Streams;

/// <summary>OpenAI chat.completion.chunk streams: usage from the usage chunk, redaction of choices[].delta.content.</summary>
public sealed class OpenAIChatStreamProcessor(IResponseRedaction? redaction, bool hideUsageChunk) : StreamProcessor(redaction)
{
    public override void Process(SseEvent evt, List<SseEvent> output)
    {
        if (evt.Data == "[DONE]")
        {
            output.Add(evt);
            return;
        }

        var chunk = ParseObject(evt.Data);
        if (chunk is null)
        {
            output.Add(evt);
            return;
        }

        var changed = false;
        if (chunk["usage"] is JsonObject usage)
        {
            Usage = UsageReader.Read(usage);
            if (hideUsageChunk)
            {
                if (chunk["choices"] is JsonArray { Count: 0 })
                {
                    return;
                }

                chunk["usage"] = null;
                changed = true;
            }
        }

        if (chunk["choices"] is JsonArray choices)
        {
            foreach (var choice in choices)
            {
                if (choice is not JsonObject c)
                {
                    continue;
                }

                var key = c["index"]?.ToJsonString() ?? "0";
                var delta = c["delta"] as JsonObject;
                if (delta?["content"] is JsonValue content && content.GetValueKind() == JsonValueKind.String)
                {
                    var text = content.GetValue<string>();
                    var safe = Delta(key, text);
                    if (!ReferenceEquals(safe, text) && safe != text)
                    {
                        delta["content"] = safe;
                        changed = true;
                    }
                }

                if (Redacting && c["finish_reason"] is JsonValue finish && finish.GetValueKind() == JsonValueKind.String)
                {
                    var held = EndText(key);
                    if (held.Length > 0)
                    {
                        delta ??= [];
                        c["delta"] = delta;
                        var before = delta["content"] is JsonValue existing && existing.GetValueKind() == JsonValueKind.String ? existing.GetValue<string>() : "";
                        delta["content"] = before + held;
                        changed = true;
                    }
                }
            }
        }

        if (changed)
        {
            evt.Data = chunk.ToJsonString();
        }

        output.Add(evt);
    }
}
