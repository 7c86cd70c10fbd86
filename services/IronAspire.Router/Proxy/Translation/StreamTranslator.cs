namespace IronAspire.Router.Proxy.Translation;

/// <summary>Rewrites one provider stream, event by event, into the events of the client's API: each event in gives zero or more out, at once.</summary>
/// <remarks><c>usage</c> is what the provider reported so far, as the provider's own stream processor read it.</remarks>
public abstract class StreamTranslator
{
    public abstract void Translate(SseEvent upstream, TokenUsage? usage, List<SseEvent> output);

    /// <summary>The provider's stream ended: emits what the client's API still expects (nothing when the stream ended properly).</summary>
    public virtual void Complete(TokenUsage? usage, List<SseEvent> output)
    {
    }
}
