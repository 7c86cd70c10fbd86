using System.Text.Json;
using System.Text.Json.Nodes;

namespace IronAspire.Router.Proxy.Translation;

/// <summary>
/// Anthropic message stream events as OpenAI chat.completion.chunk events: message_start gives the role chunk, text
/// deltas content chunks, a tool_use block a tool call (id and name first, then its argument deltas), message_delta the
/// finish chunk, message_stop the usage chunk and <c>[DONE]</c>. Pings and thinking deltas are dropped.
/// </summary>
public sealed class AnthropicToChatStream(long created) : StreamTranslator
{
    private string _id = ResponseTranslation.ChatId(null);
    private string? _model;

    /// <summary>Anthropic content block index → OpenAI tool call index (tool calls are numbered on their own).</summary>
    private readonly Dictionary<int, int> _toolIndexes = [];
    private bool _done;

    public override void Translate(SseEvent upstream, TokenUsage? usage, List<SseEvent> output)
    {
        if (JsonNodeOrNull(upstream.Data) is not JsonObject data)
        {
            return;
        }

        switch (data["type"]?.GetValue<string>())
        {
            case "message_start":
                var message = data["message"];
                _id = ResponseTranslation.ChatId(message?["id"]?.GetValue<string>());
                _model = message?["model"]?.GetValue<string>();
                output.Add(Chunk(new JsonObject { ["role"] = "assistant", ["content"] = "" }));
                break;

            case "content_block_start" when data["content_block"] is JsonObject { } block && block["type"]?.GetValue<string>() == "tool_use":
                var toolIndex = _toolIndexes.Count;
                _toolIndexes[data["index"]?.GetValue<int>() ?? 0] = toolIndex;
                output.Add(Chunk(new JsonObject
                {
                    ["tool_calls"] = new JsonArray(new JsonObject
                    {
                        ["index"] = toolIndex,
                        ["id"] = block["id"]?.DeepClone(),
                        ["type"] = "function",
                        ["function"] = new JsonObject { ["name"] = block["name"]?.DeepClone(), ["arguments"] = "" },
                    }),
                }));
                break;

            case "content_block_delta" when data["delta"] is JsonObject delta:
                switch (delta["type"]?.GetValue<string>())
                {
                    case "text_delta":
                        output.Add(Chunk(new JsonObject { ["content"] = delta["text"]?.DeepClone() }));
                        break;
                    case "input_json_delta" when _toolIndexes.TryGetValue(data["index"]?.GetValue<int>() ?? 0, out var index):
                        output.Add(Chunk(new JsonObject
                        {
                            ["tool_calls"] = new JsonArray(new JsonObject
                            {
                                ["index"] = index,
                                ["function"] = new JsonObject { ["arguments"] = delta["partial_json"]?.DeepClone() },
                            }),
                        }));
                        break;
                }

                break;

            case "message_delta":
                output.Add(Chunk([], ResponseTranslation.FinishReason(data["delta"]?["stop_reason"]?.GetValue<string>()) ?? "stop"));
                break;

            case "message_stop":
                End(usage, output);
                break;

            case "error":
                // The client's SDK raises an error event in its own format.
                output.Add(new SseEvent(null, new JsonObject
                {
                    ["error"] = new JsonObject
                    {
                        ["message"] = data["error"]?["message"]?.DeepClone(),
                        ["type"] = data["error"]?["type"]?.DeepClone(),
                        ["code"] = data["error"]?["type"]?.DeepClone(),
                    },
                }.ToJsonString()));
                _done = true;
                break;
        }
    }

    public override void Complete(TokenUsage? usage, List<SseEvent> output)
    {
        if (!_done)
        {
            End(usage, output);
        }
    }

    private void End(TokenUsage? usage, List<SseEvent> output)
    {
        _done = true;
        var chunk = Header();
        chunk["choices"] = new JsonArray();
        chunk["usage"] = ResponseTranslation.ChatUsage(usage ?? TokenUsage.None);
        output.Add(new SseEvent(null, chunk.ToJsonString()));
        output.Add(new SseEvent(null, "[DONE]"));
    }

    private SseEvent Chunk(JsonObject delta, string? finishReason = null)
    {
        var chunk = Header();
        chunk["choices"] = new JsonArray(new JsonObject
        {
            ["index"] = 0,
            ["delta"] = delta,
            ["logprobs"] = null,
            ["finish_reason"] = finishReason,
        });
        return new SseEvent(null, chunk.ToJsonString());
    }

    private JsonObject Header() => new()
    {
        ["id"] = _id,
        ["object"] = "chat.completion.chunk",
        ["created"] = created,
        ["model"] = _model,
    };

    internal static JsonNode? JsonNodeOrNull(string data)
    {
        try
        {
            return JsonNode.Parse(data);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
