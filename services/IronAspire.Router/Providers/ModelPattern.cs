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
    /// What a provider's pattern and an agent's allow-list pattern have in common, as the more specific of the two:
    /// provider <c>gpt-*</c> and agent <c>gpt-4o-mini</c> give <c>gpt-4o-mini</c>; provider <c>gpt-4o</c> and agent
    /// <c>gpt-*</c> give <c>gpt-4o</c>; null when neither covers the other.
    /// </summary>
    public static string? Narrower(string providerPattern, string allowedPattern) =>
        Matches(allowedPattern, providerPattern) ? providerPattern
        : Matches(providerPattern, allowedPattern) ? allowedPattern
        : null;
}
