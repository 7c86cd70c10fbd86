using System.Collections.Frozen;
using System.Text;
using IronAspire.Contracts.Events;
using IronAspire.Pii.Detection;
using IronAspire.Pii.Policies;

namespace IronAspire.Pii.Redaction;

/// <summary>
/// One direction of a policy, ready to run: scans for every type whose action is not allow, rewrites redact and
/// block findings in the type's style, counts everything into a <see cref="PiiTally"/>. Immutable and thread-safe;
/// <see cref="PiiPolicyCache"/> builds one per direction per effective policy.
/// </summary>
public sealed class PiiRedactor
{
    [ThreadStatic]
    private static List<PiiFinding>? t_findings;

    [ThreadStatic]
    private static StringBuilder? t_builder;

    private readonly FrozenDictionary<string, PiiAction> _actions;
    private readonly FrozenDictionary<string, PiiRedactionStyle> _styles;
    private readonly FrozenDictionary<string, string> _placeholders;
    private readonly PiiPseudonymizer _pseudonymizer;

    public PiiRedactor(
        PiiDirection direction,
        IReadOnlyDictionary<string, PiiAction> actions,
        IReadOnlyDictionary<string, PiiRedactionStyle>? styles = null,
        IEnumerable<CustomEntityType>? customTypes = null,
        PiiPseudonymizer? pseudonymizer = null)
    {
        Direction = direction;
        _actions = actions.Where(a => a.Value != PiiAction.Allow).ToFrozenDictionary(StringComparer.Ordinal);
        _styles = (styles ?? FrozenDictionary<string, PiiRedactionStyle>.Empty).ToFrozenDictionary(StringComparer.Ordinal);
        _placeholders = _actions.Keys.ToFrozenDictionary(t => t, ValueRendering.Placeholder, StringComparer.Ordinal);
        _pseudonymizer = pseudonymizer ?? PiiPseudonymizer.Ephemeral();
        Scanner = new PiiScanner(_actions.Keys, customTypes);
    }

    public PiiDirection Direction { get; }

    public PiiScanner Scanner { get; }

    /// <summary>Nothing to look for: callers may skip the body entirely.</summary>
    public bool IsPassThrough => Scanner.IsEmpty;

    /// <summary>The action for <paramref name="type"/> (allow when the policy does not name it).</summary>
    public PiiAction ActionFor(string type) => _actions.GetValueOrDefault(type, PiiAction.Allow);

    /// <summary>Redacts <paramref name="text"/> and reports what was found.</summary>
    public PiiRedactionResult Redact(string text)
    {
        var tally = new PiiTally();
        return new PiiRedactionResult(Redact(text, tally), tally);
    }

    /// <summary>Redacts <paramref name="text"/>, adding to <paramref name="tally"/> (one tally for all texts of a call). Returns the same instance when nothing changed.</summary>
    public string Redact(string text, PiiTally tally) => Redact(text, tally, t_findings ??= new List<PiiFinding>(16));

    /// <summary>As <see cref="Redact(string, PiiTally)"/>, and leaves every finding in <paramref name="findings"/> (cleared first).</summary>
    public string Redact(string text, PiiTally tally, List<PiiFinding> findings)
    {
        findings.Clear();
        if (IsPassThrough || text.Length == 0)
        {
            return text;
        }

        Scanner.Scan(text, findings);
        if (findings.Count == 0)
        {
            return text;
        }

        var changed = false;
        foreach (var f in findings)
        {
            changed |= ActionFor(f.Type) >= PiiAction.Redact;
        }

        if (!changed)
        {
            foreach (var f in findings)
            {
                tally.Add(f.Type, ActionFor(f.Type));
            }

            return text;
        }

        var builder = t_builder ??= new StringBuilder(256);
        builder.Clear();
        Write(text, findings, 0, text.Length, tally, builder);
        var result = builder.ToString();
        if (builder.Capacity > 1024 * 1024)
        {
            // Do not keep a huge buffer alive per thread after one large body.
            builder.Clear();
            builder.Capacity = 256;
        }

        return result;
    }

    /// <summary>
    /// Writes text[from..to) to <paramref name="output"/> with every finding inside it (findings outside are skipped)
    /// rewritten as its action says.
    /// </summary>
    internal void Write(ReadOnlySpan<char> text, List<PiiFinding> findings, int from, int to, PiiTally tally, StringBuilder output)
    {
        var pos = from;
        foreach (var f in findings)
        {
            if (f.Start < from || f.End > to)
            {
                continue;
            }

            var action = ActionFor(f.Type);
            tally.Add(f.Type, action);
            if (action < PiiAction.Redact)
            {
                continue;
            }

            output.Append(text[pos..f.Start]);
            output.Append(Render(f.Type, text[f.Start..f.End]));
            pos = f.End;
        }

        output.Append(text[pos..to]);
    }

    /// <summary>The redacted form of one value of <paramref name="type"/> in the policy's style for it.</summary>
    internal string Render(string type, ReadOnlySpan<char> value) =>
        _styles.GetValueOrDefault(type, PiiRedactionStyle.Placeholder) switch
        {
            PiiRedactionStyle.Mask => ValueRendering.Mask(type, value),
            PiiRedactionStyle.Hash => _pseudonymizer.Pseudonym(type, value),
            PiiRedactionStyle.Remove => "",
            _ => _placeholders.TryGetValue(type, out var placeholder) ? placeholder : ValueRendering.Placeholder(type),
        };

    /// <summary>A redactor for one streamed text (one choice or content block of an SSE stream).</summary>
    public StreamingRedactor OpenStream() => new(this);
}

/// <summary>The redacted text and what was found.</summary>
public sealed record PiiRedactionResult(string Text, PiiTally Tally);
