using System.Buffers;
using System.Text.Json;

namespace IronAspire.Router.Proxy.Translation;

/// <summary>Rewrites one provider stream, event by event, into the events of the client's API: each event in gives zero or more out, at once.</summary>
/// <remarks>
/// <c>usage</c> is what the provider reported so far, as the provider's own stream processor read it. A translator
/// reads each event as a JSON document over its own bytes and writes each event out as UTF-8 (no JSON trees): the
/// client's stream processor then scans and splices them as it does a provider's.
/// </remarks>
public abstract class StreamTranslator
{
    private readonly ArrayBufferWriter<byte> _buffer = new(512);
    private Utf8JsonWriter? _writer;

    public abstract void Translate(SseEvent upstream, TokenUsage? usage, List<SseEvent> output);

    /// <summary>The provider's stream ended: emits what the client's API still expects (nothing when the stream ended properly).</summary>
    public virtual void Complete(TokenUsage? usage, List<SseEvent> output)
    {
    }

    /// <summary>The writer of the event being written (after <see cref="Begin"/>).</summary>
    protected Utf8JsonWriter Writer => _writer ?? throw new InvalidOperationException("No event begun.");

    /// <summary>Starts writing an event's payload; end it with <see cref="Finish"/>.</summary>
    protected Utf8JsonWriter Begin()
    {
        _buffer.ResetWrittenCount();
        if (_writer is null)
        {
            _writer = new Utf8JsonWriter(_buffer);
        }
        else
        {
            _writer.Reset(_buffer);
        }

        return _writer;
    }

    /// <summary>The payload written, as an event of its own bytes (the buffer is reused for the next event).</summary>
    protected SseEvent Finish(string? name = null)
    {
        Writer.Flush();
        return SseEvent.FromUtf8(name, _buffer.WrittenSpan.ToArray());
    }

    /// <summary>Writes the provider's value as it is (null when it is missing).</summary>
    protected static void WriteCopy(Utf8JsonWriter writer, ReadOnlySpan<byte> name, JsonElement value)
    {
        writer.WritePropertyName(name);
        if (value.ValueKind == JsonValueKind.Undefined)
        {
            writer.WriteNullValue();
        }
        else
        {
            value.WriteTo(writer);
        }
    }

    /// <summary>Writes a string, or null for a value that is missing or not a string.</summary>
    protected static void WriteStringOrNull(Utf8JsonWriter writer, ReadOnlySpan<byte> name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }
}
