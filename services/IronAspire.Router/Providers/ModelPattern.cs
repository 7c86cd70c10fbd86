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

    public static bool MatchesAny(IEnumerable<string> patterns, string model)
    {
        foreach (var pattern in patterns)
        {
            if (Matches(pattern, model))
            {
                return true;
            }
        }

        return false;
    }
}
