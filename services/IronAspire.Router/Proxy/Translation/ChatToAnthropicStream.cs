using System.Text.Json;
using System.Text.Json.Nodes;

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

        if (upstream.DataIs("[DONE]"))
        {
            End(usage, output);
            return;
        }

        using var document = upstream.ParseJson();
        if (document?.RootElement is not { ValueKind: JsonValueKind.Object } chunk)
        {
            return;
        }

        if (chunk.Property("error"u8) is { ValueKind: JsonValueKind.Object } error)
        {
            var writer = Begin();
            writer.WriteStartObject();
            writer.WriteString("type"u8, "error"u8);
            writer.WriteStartObject("error"u8);
            writer.WriteString("type"u8, "api_error"u8);
            WriteCopy(writer, "message"u8, error.Property("message"u8));
            writer.WriteEndObject();
            writer.WriteEndObject();
            output.Add(Finish("error"));
            _ended = true;
            return;
        }

        Start(chunk, output);
        if (chunk.Property("choices"u8) is { ValueKind: JsonValueKind.Array } choices)
        {
            foreach (var choice in choices.EnumerateArray())
            {
                if (choice.ValueKind == JsonValueKind.Object && choice.Int("index"u8) == 0)
                {
                    TranslateChoice(choice, output);
                }
            }
        }

        // The usage chunk comes after the finish reason: now the message can end with its usage.
        if (chunk.Property("usage"u8).ValueKind == JsonValueKind.Object && _stopReason is not null)
        {
            End(usage, output);
        }
    }

    public override void Complete(TokenUsage? usage, List<SseEvent> output) => End(usage, output);

    private void TranslateChoice(JsonElement choice, List<SseEvent> output)
    {
        if (choice.Property("delta"u8) is { ValueKind: JsonValueKind.Object } delta)
        {
            if (delta.Property("content"u8) is { ValueKind: JsonValueKind.String } text && !text.ValueEquals(""u8))
            {
                if (!_blockOpen || _openToolCall is not null)
                {
                    var block = StartBlock(output, null);
                    block.WriteStartObject();
                    block.WriteString("type"u8, "text"u8);
                    block.WriteString("text"u8, ""u8);
                    block.WriteEndObject();
                    output.Add(EndBlockStart());
                }

                output.Add(Delta(_blockIndex, "text_delta"u8, "text"u8, text));
            }

            if (delta.Property("tool_calls"u8) is { ValueKind: JsonValueKind.Array } calls)
            {
                foreach (var call in calls.EnumerateArray())
                {
                    TranslateToolCall(call, output);
                }
            }
        }

        if (choice.String("finish_reason"u8) is { } finish)
        {
            _stopReason = ResponseTranslation.StopReason(finish);
            CloseBlock(output);
        }
    }

    private void TranslateToolCall(JsonElement call, List<SseEvent> output)
    {
        if (call.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        var toolIndex = call.Int("index"u8);
        var function = call.Property("function"u8);
        if (!_toolBlocks.ContainsKey(toolIndex))
        {
            var block = StartBlock(output, toolIndex);
            ResponseTranslation.ToolUseBlock(call.String("id"u8), function.String("name"u8), new JsonObject()).WriteTo(block);
            output.Add(EndBlockStart());
            _toolBlocks[toolIndex] = _blockIndex;
        }

        if (function.Property("arguments"u8) is { ValueKind: JsonValueKind.String } piece && !piece.ValueEquals(""u8))
        {
            output.Add(Delta(_toolBlocks[toolIndex], "input_json_delta"u8, "partial_json"u8, piece));
        }
    }

    private void Start(JsonElement chunk, List<SseEvent> output)
    {
        if (_started)
        {
            return;
        }

        _started = true;
        var writer = Begin();
        writer.WriteStartObject();
        writer.WriteString("type"u8, "message_start"u8);
        writer.WriteStartObject("message"u8);
        writer.WriteString("id"u8, ResponseTranslation.MessageId(chunk.String("id"u8)));
        writer.WriteString("type"u8, "message"u8);
        writer.WriteString("role"u8, "assistant"u8);
        WriteStringOrNull(writer, "model"u8, chunk.String("model"u8));
        writer.WriteStartArray("content"u8);
        writer.WriteEndArray();
        writer.WriteNull("stop_reason"u8);
        writer.WriteNull("stop_sequence"u8);
        // OpenAI reports usage only at the end; message_delta carries it.
        writer.WritePropertyName("usage"u8);
        ResponseTranslation.AnthropicUsage(TokenUsage.None).WriteTo(writer);
        writer.WriteEndObject();
        writer.WriteEndObject();
        output.Add(Finish("message_start"));
    }

    private void End(TokenUsage? usage, List<SseEvent> output)
    {
        if (_ended || !_started)
        {
            return;
        }

        _ended = true;
        CloseBlock(output);
        var writer = Begin();
        writer.WriteStartObject();
        writer.WriteString("type"u8, "message_delta"u8);
        writer.WriteStartObject("delta"u8);
        writer.WriteString("stop_reason"u8, _stopReason ?? "end_turn");
        writer.WriteNull("stop_sequence"u8);
        writer.WriteEndObject();
        writer.WritePropertyName("usage"u8);
        ResponseTranslation.AnthropicUsage(usage ?? TokenUsage.None).WriteTo(writer);
        writer.WriteEndObject();
        output.Add(Finish("message_delta"));

        writer = Begin();
        writer.WriteStartObject();
        writer.WriteString("type"u8, "message_stop"u8);
        writer.WriteEndObject();
        output.Add(Finish("message_stop"));
    }

    /// <summary>Closes the open block and starts the next one's content_block_start; write the block object, then <see cref="EndBlockStart"/>.</summary>
    private Utf8JsonWriter StartBlock(List<SseEvent> output, int? toolCall)
    {
        CloseBlock(output);
        _blockIndex++;
        _blockOpen = true;
        _openToolCall = toolCall;
        var writer = Begin();
        writer.WriteStartObject();
        writer.WriteString("type"u8, "content_block_start"u8);
        writer.WriteNumber("index"u8, _blockIndex);
        writer.WritePropertyName("content_block"u8);
        return writer;
    }

    private SseEvent EndBlockStart()
    {
        Writer.WriteEndObject();
        return Finish("content_block_start");
    }

    private void CloseBlock(List<SseEvent> output)
    {
        if (!_blockOpen)
        {
            return;
        }

        _blockOpen = false;
        _openToolCall = null;
        var writer = Begin();
        writer.WriteStartObject();
        writer.WriteString("type"u8, "content_block_stop"u8);
        writer.WriteNumber("index"u8, _blockIndex);
        writer.WriteEndObject();
        output.Add(Finish("content_block_stop"));
    }

    /// <summary>A content_block_delta carrying the provider's string as it is (copied, not decoded and re-encoded).</summary>
    private SseEvent Delta(int index, ReadOnlySpan<byte> type, ReadOnlySpan<byte> field, JsonElement value)
    {
        var writer = Begin();
        writer.WriteStartObject();
        writer.WriteString("type"u8, "content_block_delta"u8);
        writer.WriteNumber("index"u8, index);
        writer.WriteStartObject("delta"u8);
        writer.WriteString("type"u8, type);
        WriteCopy(writer, field, value);
        writer.WriteEndObject();
        writer.WriteEndObject();
        return Finish("content_block_delta");
    }
}
