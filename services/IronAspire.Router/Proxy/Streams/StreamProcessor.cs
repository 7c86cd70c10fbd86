using System.Text;
using System.Text.Json.Nodes;

namespace IronAspire.Router.Proxy.Streams;

/// <summary>
/// Follows one provider stream event by event: reads usage, redacts text deltas (holding back a possible partial
/// value and flushing it before the text ends), and hides what the Router added. Each event in gives zero or more out.
/// </summary>
public abstract class StreamProcessor(IResponseRedaction? redaction)
{
    private readonly Dictionary<string, ITextStreamRedactor> _streams = [];

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
