using IronAspire.Pii.Redaction;
using IronAspire.Router.Proxy;

namespace IronAspire.Router.Governance;

/// <summary>The agent's response-side PII policy, applied to a call's JSON body or stream deltas; counts go to one tally per call.</summary>
internal sealed class PiiResponseRedaction(PiiRedactor redactor) : IResponseRedaction
{
    private readonly List<StreamingRedactor> _streams = [];

    public PiiTally Tally { get; } = new();

    public string Redact(string text) => redactor.Redact(text, Tally);

    public ITextStreamRedactor OpenStream()
    {
        var stream = redactor.OpenStream();
        _streams.Add(stream);
        return new Stream(stream);
    }

    /// <summary>The strongest action the policy took on the response (redact over audit).</summary>
    public string Action => (_streams.Select(s => s.Tally.Action).Append(Tally.Action).Max()).ToString().ToLowerInvariant();

    /// <summary>Counts per entity type over the whole response (body and streams).</summary>
    public IReadOnlyDictionary<string, int> Counts()
    {
        var counts = new Dictionary<string, int>(Tally.Counts);
        foreach (var stream in _streams)
        {
            foreach (var (type, count) in stream.Tally.Counts)
            {
                counts[type] = counts.GetValueOrDefault(type) + count;
            }
        }

        return counts;
    }

    private sealed class Stream(StreamingRedactor redactor) : ITextStreamRedactor
    {
        public string Push(string delta) => redactor.Push(delta);

        public string Flush() => redactor.Flush();
    }
}
