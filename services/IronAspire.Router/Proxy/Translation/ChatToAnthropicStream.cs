using System.Text.Json;
using System.Text.Json.Nodes;
using IronAspire.Router.Proxy.Streams;

namespace IronAspire.Router.Proxy.Translation;

/// <summary>
/// OpenAI chat.completion.chunk events as an Anthropic message stream: the first chunk opens the message
/// (message_start), content deltas a text block, each tool call a tool_use block (its argument pieces as
/// input_json_delta); the finish reason closes the open block, and — since OpenAI reports usage in a chunk after the
/// finish reason — message_delta (stop reason and usage) and message_stop follow the usage chunk or <c>[DONE]</c>.
/// </summary>
public sealed class ChatToAnthropicStream : StreamTranslator
{
    private bool _started;
    private bool _ended;
    private string? _stopReason;

    /// <summary>The open content block: its Anthropic index and, for a tool call, its OpenAI tool call index.</summary>
    private int _blockIndex = -1;
    private bool _blockOpen;
    private int? _openToolCall;
    private readonly Dictionary<int, int> _toolBlocks = [];

    public override void Translate(SseEvent upstream, TokenUsage? usage, List<SseEvent> output)
    {
        if (_ended)
        {
            return;
        }

        if (upstream.Data == "[DONE]")
        {
            End(usage, output);
            return;
        }

        if (StreamProcessor.ParseObject(upstream.Data) is not { } chunk)
        {
            return;
        }

        if (chunk["error"] is JsonObject error)
        {
            output.Add(Event("error", new JsonObject
            {
                ["type"] = "error",
                ["error"] = new JsonObject { ["type"] = "api_error", ["message"] = error["message"]?.DeepClone() },
            }));
            _ended = true;
            return;
        }

        Start(chunk, output);
        foreach (var choice in chunk["choices"] as JsonArray ?? [])
        {
            if (choice is not JsonObject c || (c["index"]?.GetValue<int>() ?? 0) != 0)
            {
                continue;
            }

            if (c["delta"] is JsonObject delta)
            {
                if (delta["content"] is JsonValue content && content.GetValueKind() == JsonValueKind.String && content.GetValue<string>() is { Length: > 0 } text)
                {
                    if (!_blockOpen || _openToolCall is not null)
                    {
                        OpenBlock(output, new JsonObject { ["type"] = "text", ["text"] = "" }, null);
                    }

                    output.Add(Delta(_blockIndex, new JsonObject { ["type"] = "text_delta", ["text"] = text }));
                }

                foreach (var call in delta["tool_calls"] as JsonArray ?? [])
                {
                    var toolIndex = call?["index"]?.GetValue<int>() ?? 0;
                    if (!_toolBlocks.ContainsKey(toolIndex))
                    {
                        OpenBlock(output, ResponseTranslation.ToolUseBlock(
                            call?["id"]?.GetValue<string>(), call?["function"]?["name"]?.GetValue<string>(), new JsonObject()), toolIndex);
                        _toolBlocks[toolIndex] = _blockIndex;
                    }

                    if (call?["function"]?["arguments"] is JsonValue arguments && arguments.GetValue<string>() is { Length: > 0 } piece)
                    {
                        output.Add(Delta(_toolBlocks[toolIndex], new JsonObject { ["type"] = "input_json_delta", ["partial_json"] = piece }));
                    }
                }
            }

            if (c["finish_reason"] is JsonValue finish && finish.GetValueKind() == JsonValueKind.String)
            {
                _stopReason = ResponseTranslation.StopReason(finish.GetValue<string>());
                CloseBlock(output);
            }
        }

        // The usage chunk comes after the finish reason: now the message can end with its usage.
        if (chunk["usage"] is JsonObject && _stopReason is not null)
        {
            End(usage, output);
        }
    }

    public override void Complete(TokenUsage? usage, List<SseEvent> output) => End(usage, output);

    private void Start(JsonObject chunk, List<SseEvent> output)
    {
        if (_started)
        {
            return;
        }

        _started = true;
        output.Add(Event("message_start", new JsonObject
        {
            ["type"] = "message_start",
            ["message"] = new JsonObject
            {
                ["id"] = ResponseTranslation.MessageId(chunk["id"]?.GetValue<string>()),
                ["type"] = "message",
                ["role"] = "assistant",
                ["model"] = chunk["model"]?.DeepClone(),
                ["content"] = new JsonArray(),
                ["stop_reason"] = null,
                ["stop_sequence"] = null,
                // OpenAI reports usage only at the end; message_delta carries it.
                ["usage"] = ResponseTranslation.AnthropicUsage(TokenUsage.None),
            },
        }));
    }

    private void End(TokenUsage? usage, List<SseEvent> output)
    {
        if (_ended || !_started)
        {
            return;
        }

        _ended = true;
        CloseBlock(output);
        output.Add(Event("message_delta", new JsonObject
        {
            ["type"] = "message_delta",
            ["delta"] = new JsonObject { ["stop_reason"] = _stopReason ?? "end_turn", ["stop_sequence"] = null },
            ["usage"] = ResponseTranslation.AnthropicUsage(usage ?? TokenUsage.None),
        }));
        output.Add(Event("message_stop", new JsonObject { ["type"] = "message_stop" }));
    }

    private void OpenBlock(List<SseEvent> output, JsonObject block, int? toolCall)
    {
        CloseBlock(output);
        _blockIndex++;
        _blockOpen = true;
        _openToolCall = toolCall;
        output.Add(Event("content_block_start", new JsonObject { ["type"] = "content_block_start", ["index"] = _blockIndex, ["content_block"] = block }));
    }

    private void CloseBlock(List<SseEvent> output)
    {
        if (!_blockOpen)
        {
            return;
        }

        _blockOpen = false;
        _openToolCall = null;
        output.Add(Event("content_block_stop", new JsonObject { ["type"] = "content_block_stop", ["index"] = _blockIndex }));
    }

    private static SseEvent Delta(int index, JsonObject delta) =>
        Event("content_block_delta", new JsonObject { ["type"] = "content_block_delta", ["index"] = index, ["delta"] = delta });

    private static SseEvent Event(string name, JsonObject data) => new(name, data.ToJsonString());
}
