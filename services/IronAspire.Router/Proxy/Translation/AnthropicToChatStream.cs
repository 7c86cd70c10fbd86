using System.Text.Json;

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
        using var document = upstream.ParseJson();
        if (document?.RootElement is not { ValueKind: JsonValueKind.Object } data)
        {
            return;
        }

        switch (data.String("type"u8))
        {
            case "message_start":
                var message = data.Property("message"u8);
                _id = ResponseTranslation.ChatId(message.String("id"u8));
                _model = message.String("model"u8);
                var role = StartChunk();
                role.WriteString("role"u8, "assistant"u8);
                role.WriteString("content"u8, ""u8);
                output.Add(EndChunk(null));
                break;

            case "content_block_start" when data.Property("content_block"u8) is var block && block.String("type"u8) == "tool_use":
                var toolIndex = _toolIndexes.Count;
                _toolIndexes[data.Int("index"u8)] = toolIndex;
                var start = StartToolCall(toolIndex);
                WriteCopy(start, "id"u8, block.Property("id"u8));
                start.WriteString("type"u8, "function"u8);
                start.WriteStartObject("function"u8);
                WriteCopy(start, "name"u8, block.Property("name"u8));
                start.WriteString("arguments"u8, ""u8);
                start.WriteEndObject();
                output.Add(EndToolCall());
                break;

            case "content_block_delta" when data.Property("delta"u8) is { ValueKind: JsonValueKind.Object } delta:
                switch (delta.String("type"u8))
                {
                    case "text_delta":
                        var content = StartChunk();
                        WriteCopy(content, "content"u8, delta.Property("text"u8));
                        output.Add(EndChunk(null));
                        break;
                    case "input_json_delta" when _toolIndexes.TryGetValue(data.Int("index"u8), out var index):
                        var arguments = StartToolCall(index);
                        arguments.WriteStartObject("function"u8);
                        WriteCopy(arguments, "arguments"u8, delta.Property("partial_json"u8));
                        arguments.WriteEndObject();
                        output.Add(EndToolCall());
                        break;
                }

                break;

            case "message_delta":
                StartChunk();
                output.Add(EndChunk(ResponseTranslation.FinishReason(data.Property("delta"u8).String("stop_reason"u8)) ?? "stop"));
                break;

            case "message_stop":
                End(usage, output);
                break;

            case "error":
                // The client's SDK raises an error event in its own format.
                var error = data.Property("error"u8);
                var writer = Begin();
                writer.WriteStartObject();
                writer.WriteStartObject("error"u8);
                WriteCopy(writer, "message"u8, error.Property("message"u8));
                WriteCopy(writer, "type"u8, error.Property("type"u8));
                WriteCopy(writer, "code"u8, error.Property("type"u8));
                writer.WriteEndObject();
                writer.WriteEndObject();
                output.Add(Finish());
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
        var writer = Begin();
        writer.WriteStartObject();
        WriteHeader(writer);
        writer.WriteStartArray("choices"u8);
        writer.WriteEndArray();
        writer.WritePropertyName("usage"u8);
        ResponseTranslation.ChatUsage(usage ?? TokenUsage.None).WriteTo(writer);
        writer.WriteEndObject();
        output.Add(Finish());
        output.Add(new SseEvent(null, "[DONE]"));
    }

    /// <summary>Starts a chunk and its one choice's delta object; write the delta's fields, then <see cref="EndChunk"/>.</summary>
    private Utf8JsonWriter StartChunk()
    {
        var writer = Begin();
        writer.WriteStartObject();
        WriteHeader(writer);
        writer.WriteStartArray("choices"u8);
        writer.WriteStartObject();
        writer.WriteNumber("index"u8, 0);
        writer.WriteStartObject("delta"u8);
        return writer;
    }

    private SseEvent EndChunk(string? finishReason)
    {
        var writer = Writer;
        writer.WriteEndObject();
        writer.WriteNull("logprobs"u8);
        WriteStringOrNull(writer, "finish_reason"u8, finishReason);
        writer.WriteEndObject();
        writer.WriteEndArray();
        writer.WriteEndObject();
        return Finish();
    }

    /// <summary>A chunk whose delta is one tool call at <paramref name="index"/>; write its fields, then <see cref="EndToolCall"/>.</summary>
    private Utf8JsonWriter StartToolCall(int index)
    {
        var writer = StartChunk();
        writer.WriteStartArray("tool_calls"u8);
        writer.WriteStartObject();
        writer.WriteNumber("index"u8, index);
        return writer;
    }

    private SseEvent EndToolCall()
    {
        Writer.WriteEndObject();
        Writer.WriteEndArray();
        return EndChunk(null);
    }

    private void WriteHeader(Utf8JsonWriter writer)
    {
        writer.WriteString("id"u8, _id);
        writer.WriteString("object"u8, "chat.completion.chunk"u8);
        writer.WriteNumber("created"u8, created);
        WriteStringOrNull(writer, "model"u8, _model);
    }
}
