using System.Text.Json;
using System.Text.Json.Nodes;

namespace IronAspire.Router.Proxy.Streams;

/// <summary>
/// OpenAI Responses API streams: usage from response.completed; text deltas redacted as they stream, and the
/// whole texts repeated in *.done / response.completed events redacted in full.
/// </summary>
public sealed class OpenAIResponsesStreamProcessor(IResponseRedaction? redaction) : StreamProcessor(redaction)
{
    public override void Process(SseEvent evt, List<SseEvent> output)
    {
        var data = ParseObject(evt.Data);
        var type = data?["type"].AsString();
        switch (type)
        {
            case "response.output_text.delta":
                if (data!["delta"] is JsonValue deltaNode && deltaNode.GetValueKind() == JsonValueKind.String)
                {
                    var key = $"{data["output_index"]?.ToJsonString()}:{data["content_index"]?.ToJsonString()}";
                    var text = deltaNode.GetValue<string>();
                    var safe = Delta(key, text);
                    if (safe != text)
                    {
                        if (safe.Length == 0)
                        {
                            return;
                        }

                        data["delta"] = safe;
                        evt.Data = data.ToJsonString();
                    }
                }

                break;

            case "response.output_text.done" when Redacting:
                {
                    var key = $"{data!["output_index"]?.ToJsonString()}:{data["content_index"]?.ToJsonString()}";
                    var held = EndText(key);
                    if (held.Length > 0)
                    {
                        var flush = new JsonObject
                        {
                            ["type"] = "response.output_text.delta",
                            ["item_id"] = data["item_id"]?.DeepClone(),
                            ["output_index"] = data["output_index"]?.DeepClone(),
                            ["content_index"] = data["content_index"]?.DeepClone(),
                            ["delta"] = held,
                        };
                        output.Add(new SseEvent("response.output_text.delta", flush.ToJsonString()));
                    }

                    if (data["text"] is JsonValue full && full.GetValueKind() == JsonValueKind.String)
                    {
                        data["text"] = RedactWhole(full.GetValue<string>());
                        evt.Data = data.ToJsonString();
                    }
                }

                break;

            case "response.completed" or "response.incomplete" or "response.failed":
                if (data!["response"] is JsonObject response)
                {
                    Usage = UsageReader.Read(response["usage"]) ?? Usage;
                    if (Redacting && JsonBodyRedaction.RedactResponsesOutput(response, RedactWhole))
                    {
                        evt.Data = data.ToJsonString();
                    }
                }

                break;
        }

        output.Add(evt);
    }
}
