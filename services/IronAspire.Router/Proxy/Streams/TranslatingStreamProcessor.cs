using IronAspire.Router.Proxy.Translation;

namespace IronAspire.Router.Proxy.Streams;

/// <summary>
/// A provider stream in another API than the client's: <paramref name="upstream"/> reads its usage (what is billed),
/// <paramref name="translator"/> rewrites each event into the client's API, and <paramref name="client"/> processes the
/// result as it would a stream of its own API (redaction, hidden usage chunk). Event by event: nothing is buffered.
/// </summary>
public sealed class TranslatingStreamProcessor(StreamProcessor upstream, StreamTranslator translator, StreamProcessor client) : StreamProcessor(null)
{
    private readonly List<SseEvent> _upstreamEvents = new(2);
    private readonly List<SseEvent> _translated = new(4);

    public override void Process(SseEvent evt, List<SseEvent> output)
    {
        _upstreamEvents.Clear();
        upstream.Process(evt, _upstreamEvents);
        Usage = upstream.Usage;
        foreach (var upstreamEvent in _upstreamEvents)
        {
            _translated.Clear();
            translator.Translate(upstreamEvent, upstream.Usage, _translated);
            Forward(output);
        }
    }

    public override void Complete(List<SseEvent> output)
    {
        _translated.Clear();
        translator.Complete(upstream.Usage, _translated);
        Forward(output);
        client.Complete(output);
        StreamedTextBytes = client.StreamedTextBytes;
    }

    private void Forward(List<SseEvent> output)
    {
        foreach (var translated in _translated)
        {
            client.Process(translated, output);
        }

        StreamedTextBytes = client.StreamedTextBytes;
    }
}
