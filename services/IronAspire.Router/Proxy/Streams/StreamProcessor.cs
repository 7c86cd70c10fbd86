using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace IronAspire.Router.Proxy.Streams;

/// <summary>
/// Follows one provider stream event by event: reads usage, redacts text deltas (holding back a possible partial
/// value and flushing it before the text ends), and hides what the Router added. Each event in gives zero or more out.
/// </summary>
public abstract class StreamProcessor(IResponseRedaction? redaction)
{
    private static readonly string[] SmallIndexes = [.. Enumerable.Range(0, 10).Select(i => i.ToString(CultureInfo.InvariantCulture))];

    private readonly Dictionary<string, ITextStreamRedactor> _streams = [];

    /// <summary>Where <see cref="Splice"/> writes, reused from event to event.</summary>
    private ArrayBufferWriter<byte>? _splice;

    public TokenUsage? Usage { get; protected set; }

    /// <summary>UTF-8 bytes of generated text seen so far; the usage estimate when a stream ends without usage.</summary>
    public long StreamedTextBytes { get; protected set; }

    public abstract void Process(SseEvent evt, List<SseEvent> output);

    /// <summary>Called when the stream ends normally: emits anything still held back.</summary>
    public virtual void Complete(List<SseEvent> output)
    {
    }

    protected bool Redacting => redaction is not null;

    /// <summary>Passes a text delta through the redactor of its text stream (one per choice or content block).</summary>
    protected string Delta(string streamKey, string text)
    {
        StreamedTextBytes += Encoding.UTF8.GetByteCount(text);
        if (redaction is null)
        {
            return text;
        }

        if (!_streams.TryGetValue(streamKey, out var stream))
        {
            stream = redaction.OpenStream();
            _streams[streamKey] = stream;
        }

        return stream.Push(text);
    }

    /// <summary>Ends a text stream: what was held back, redacted (empty when nothing was).</summary>
    protected string EndText(string streamKey)
    {
        if (_streams.Remove(streamKey, out var stream))
        {
            return stream.Flush();
        }

        return "";
    }

    protected string RedactWhole(string text) => redaction?.Redact(text) ?? text;

    /// <summary>The text-stream key of a choice or block index (the small ones without allocating).</summary>
    protected static string IndexKey(int index) =>
        index is >= 0 and < 10 ? SmallIndexes[index] : index.ToString(CultureInfo.InvariantCulture);

    /// <summary>The text-stream key of an index token's digits, as the tree path keys it (its JSON text).</summary>
    protected static string IndexKey(ReadOnlySpan<byte> digits) =>
        digits is [var digit] && digit is >= (byte)'0' and <= (byte)'9' ? SmallIndexes[digit - '0'] : Encoding.UTF8.GetString(digits);

    /// <summary>Replaces the event's payload with its own bytes <paramref name="json"/> with <paramref name="edits"/>
    /// applied (no tree, no re-serialisation).</summary>
    protected void Splice(SseEvent evt, ReadOnlySpan<byte> json, List<JsonEdit> edits)
    {
        var output = _splice ??= new ArrayBufferWriter<byte>(json.Length * 2);
        output.ResetWrittenCount();
        JsonSplice.Apply(json, edits, output);
        evt.SetDataUtf8(output.WrittenSpan.ToArray());
    }

    /// <summary>The payload as a mutable tree, for the paths that rebuild an event; null when it is not a JSON object.</summary>
    internal static JsonObject? ParseObject(string data)
    {
        try
        {
            return JsonNode.Parse(data) as JsonObject;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}
