namespace IronAspire.Router.Providers;

/// <summary>Glob matching for model names: <c>*</c> matches any run of characters; case-insensitive.</summary>
public static class ModelPattern
{
    public static bool Matches(string pattern, string model)
    {
        var p = pattern.AsSpan();
        var m = model.AsSpan();
        int pi = 0, mi = 0, star = -1, mark = 0;
        while (mi < m.Length)
        {
            if (pi < p.Length && p[pi] == '*')
            {
                star = pi++;
                mark = mi;
            }
            else if (pi < p.Length && char.ToLowerInvariant(p[pi]) == char.ToLowerInvariant(m[mi]))
            {
                pi++;
                mi++;
            }
            else if (star >= 0)
            {
                pi = star + 1;
                mi = ++mark;
            }
            else
            {
                return false;
            }
        }

        while (pi < p.Length && p[pi] == '*')
        {
            pi++;
        }

        return pi == p.Length;
    }

    public static bool MatchesAny(IReadOnlyList<string> patterns, string model)
    {
        // Indexed, not foreach over the interface: this runs on every call and must not allocate an enumerator.
        for (var i = 0; i < patterns.Count; i++)
        {
            if (Matches(patterns[i], model))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// What a provider's pattern and an agent's allow-list pattern have in common, as a pattern: the more specific of
    /// the two when one covers the other (provider <c>gpt-*</c> and agent <c>gpt-4o-mini</c> give <c>gpt-4o-mini</c>;
    /// provider <c>gpt-4o</c> and agent <c>gpt-*</c> give <c>gpt-4o</c>), else the names both match when each has one
    /// wildcard (provider <c>gpt-4*</c> and agent <c>*-mini</c> give <c>gpt-4*-mini</c>); null when they share nothing
    /// this can express.
    /// </summary>
    public static string? Narrower(string providerPattern, string allowedPattern) =>
        Matches(allowedPattern, providerPattern) ? providerPattern
        : Matches(providerPattern, allowedPattern) ? allowedPattern
        : Overlap(providerPattern, allowedPattern);

    /// <summary>Two <c>prefix*suffix</c> patterns overlap in <c>longer-prefix*longer-suffix</c> when their prefixes and suffixes agree.</summary>
    private static string? Overlap(string a, string b)
    {
        var starA = a.IndexOf('*');
        var starB = b.IndexOf('*');
        if (starA < 0 || starB < 0 || a.IndexOf('*', starA + 1) >= 0 || b.IndexOf('*', starB + 1) >= 0)
        {
            return null;
        }

        var (prefixA, suffixA) = (a[..starA], a[(starA + 1)..]);
        var (prefixB, suffixB) = (b[..starB], b[(starB + 1)..]);
        var prefix = prefixA.StartsWith(prefixB, StringComparison.OrdinalIgnoreCase) ? prefixA
            : prefixB.StartsWith(prefixA, StringComparison.OrdinalIgnoreCase) ? prefixB
            : null;
        var suffix = suffixA.EndsWith(suffixB, StringComparison.OrdinalIgnoreCase) ? suffixA
            : suffixB.EndsWith(suffixA, StringComparison.OrdinalIgnoreCase) ? suffixB
            : null;
        return prefix is null || suffix is null ? null : prefix + "*" + suffix;
    }
}
