using IronAspire.Pii.Policies;

namespace IronAspire.Pii.Redaction;

/// <summary>
/// What the policy did to one direction of one call: counts per type of everything it acted on (audit included),
/// which types it blocked, and the strongest action taken. Types and counts only, never values, so it can go
/// into events, logs and traces as is.
/// </summary>
public sealed class PiiTally
{
    private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);
    private readonly SortedSet<string> _blocked = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, int> Counts => _counts;

    /// <summary>Types whose action is block and that were found; the call must be refused when not empty.</summary>
    public IReadOnlyCollection<string> BlockedTypes => _blocked;

    public bool Blocked => _blocked.Count > 0;

    /// <summary>The strongest action applied: block > redact > audit; <see cref="PiiAction.Allow"/> when nothing was found.</summary>
    public PiiAction Action { get; private set; } = PiiAction.Allow;

    public int Total { get; private set; }

    /// <summary>Adds another tally (e.g. each streamed text's) into this one: one tally per call and direction.</summary>
    public void Merge(PiiTally other)
    {
        foreach (var (type, count) in other._counts)
        {
            _counts[type] = _counts.GetValueOrDefault(type) + count;
        }

        _blocked.UnionWith(other._blocked);
        Total += other.Total;
        if (other.Action > Action)
        {
            Action = other.Action;
        }
    }

    internal void Add(string type, PiiAction action)
    {
        _counts[type] = _counts.GetValueOrDefault(type) + 1;
        Total++;
        if (action == PiiAction.Block)
        {
            _blocked.Add(type);
        }

        if (action > Action)
        {
            Action = action;
        }
    }
}
