namespace IronAspire.Pii.Detection;

/// <summary>
/// A run of digit groups such as "+1 (415) 555-2671", "4242 4242 4242 4242" or "192.168.0.1", read once from a
/// candidate start and shared by the number detectors. Reading is bounded (at most <see cref="MaxGroups"/> groups and
/// <see cref="MaxDigits"/> digits), so a long digit run costs one linear pass.
/// </summary>
internal ref struct DigitGroups
{
    public const int MaxGroups = 8;
    public const int MaxDigits = 20;

    public bool Plus;
    public int Count;
    /// <summary>More digits or groups followed than the bounds allow: nothing here is a single entity.</summary>
    public bool Overflow;

    /// <summary>Where reading stopped on overflow: scanning resumes there, so a long run is read once.</summary>
    public int StoppedAt;
    public GroupBuffer Groups;

    [System.Runtime.CompilerServices.InlineArray(MaxGroups)]
    public struct GroupBuffer
    {
        private DigitGroup _element;
    }

    public int TotalDigits(int groups)
    {
        var total = 0;
        for (var g = 0; g < groups; g++)
        {
            total += Groups[g].Digits;
        }

        return total;
    }

    /// <summary>True when groups 1..n-1 were all joined by <paramref name="separator"/>.</summary>
    public bool SeparatorsAre(int groups, char separator)
    {
        for (var g = 1; g < groups; g++)
        {
            if (Groups[g].SeparatorBefore != separator)
            {
                return false;
            }
        }

        return true;
    }

    public bool AnyParenthesised(int groups)
    {
        for (var g = 0; g < groups; g++)
        {
            if (Groups[g].Parenthesised)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Where the last group ends (the start when there is none).</summary>
    public readonly int End(int start) => Count == 0 ? start : Groups[Count - 1].End;

    public static DigitGroups Read(ReadOnlySpan<char> text, int start)
    {
        var result = default(DigitGroups);
        var p = start;
        if (p < text.Length && text[p] == '+')
        {
            result.Plus = true;
            p++;
        }

        var separator = '\0';
        var digits = 0;
        while (p < text.Length)
        {
            var groupStart = p;
            var paren = text[p] == '(';
            if (paren)
            {
                p++;
            }

            var digitStart = p;
            while (p < text.Length && char.IsAsciiDigit(text[p]))
            {
                p++;
                if (++digits > MaxDigits)
                {
                    result.Overflow = true;
                    result.StoppedAt = p;
                    return result;
                }
            }

            if (p == digitStart || (paren && (p >= text.Length || text[p] != ')')))
            {
                break;
            }

            var digitCount = p - digitStart;
            if (paren)
            {
                p++;
            }

            if (result.Count == MaxGroups)
            {
                result.Overflow = true;
                result.StoppedAt = p;
                return result;
            }

            result.Groups[result.Count++] = new DigitGroup(groupStart, p, digitCount, separator, paren);

            // A separator joins two groups only when another group follows it directly.
            separator = '\0';
            if (p < text.Length && text[p] is ' ' or '-' or '.' or '/')
            {
                if (p + 1 < text.Length && (char.IsAsciiDigit(text[p + 1]) || text[p + 1] == '('))
                {
                    separator = text[p];
                    p++;
                    continue;
                }

                break;
            }

            if (p < text.Length && text[p] == '(' && paren == false)
            {
                // "+1(415)555-2671": a parenthesised group may follow without a separator.
                separator = ' ';
                continue;
            }

            if (paren && p < text.Length && char.IsAsciiDigit(text[p]))
            {
                // "(0)20 7946 0958": digits straight after a closing parenthesis.
                separator = ' ';
                continue;
            }

            break;
        }

        return result;
    }
}

internal readonly record struct DigitGroup(int Start, int End, int Digits, char SeparatorBefore, bool Parenthesised);
