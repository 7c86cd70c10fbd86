namespace IronAspire.Pii.Detection;

/// <summary>
/// Credit cards, US SSNs, IPv4 addresses and phone numbers, decided from one <see cref="DigitGroups"/> read. Each
/// detector validates (IIN ranges and Luhn, SSN ranges, octet ranges, national numbering plans) so order numbers,
/// dates, prices and version strings stay out.
/// </summary>
internal static class NumberDetectors
{
    private static readonly string[] PhoneContext = ["phone", "call", "tel", "mobile", "cell", "fax", "whatsapp", "text me", "reach me", "contact"];
    private static readonly string[] SsnContext = ["ssn", "social security", "social-security"];
    private static readonly string[] VersionContext = ["version", "release", "build"];
    private static readonly string[] ReferenceContext = ["sn ", "s/n", "serial", "part ", "order", "invoice", "ticket", "ref ", "isbn", "tracking", "id ", "id:", "id#", "account"];

    public static bool TryCreditCard(ReadOnlySpan<char> text, scoped ref DigitGroups g, out int end)
    {
        end = 0;
        if (g.Plus || g.AnyParenthesised(g.Count))
        {
            return false;
        }

        Span<byte> digits = stackalloc byte[19];
        for (var k = g.Count; k >= 1; k--)
        {
            var total = g.TotalDigits(k);
            if (total < 13)
            {
                return false;
            }

            if (total > 19)
            {
                continue;
            }

            var separator = k > 1 ? g.Groups[1].SeparatorBefore : '\0';
            if (k > 1 && (separator is not (' ' or '-') || !g.SeparatorsAre(k, separator) || !GroupsAtLeast(ref g, k, 3)))
            {
                continue;
            }

            var e = g.Groups[k - 1].End;
            if (!CutOk(text, ref g, k, e))
            {
                continue;
            }

            var n = Digits(text[g.Groups[0].Start..e], digits);
            if (IinValid(digits[..n]) && Checksums.Luhn(text[g.Groups[0].Start..e]))
            {
                end = e;
                return true;
            }
        }

        return false;
    }

    public static bool TryUsSsn(ReadOnlySpan<char> text, scoped ref DigitGroups g, out int end, out double score)
    {
        end = 0;
        score = 0;
        if (g.Plus || g.AnyParenthesised(Math.Min(g.Count, 3)))
        {
            return false;
        }

        var hasContext = false;
        if (g.Count >= 3 && g.Groups[0].Digits == 3 && g.Groups[1].Digits == 2 && g.Groups[2].Digits == 4
            && g.Groups[1].SeparatorBefore is '-' or ' ' && g.Groups[2].SeparatorBefore == g.Groups[1].SeparatorBefore
            && CutOk(text, ref g, 3, g.Groups[2].End))
        {
            end = g.Groups[2].End;
        }
        else if (g.Groups[0].Digits == 9 && CutOk(text, ref g, 1, g.Groups[0].End)
            && (hasContext = TextChars.HasContext(text, g.Groups[0].Start, 40, SsnContext)))
        {
            end = g.Groups[0].End;
        }
        else
        {
            return false;
        }

        Span<byte> d = stackalloc byte[9];
        Digits(text[g.Groups[0].Start..end], d);
        var area = d[0] * 100 + d[1] * 10 + d[2];
        var group = d[3] * 10 + d[4];
        var serial = d[5] * 1000 + d[6] * 100 + d[7] * 10 + d[8];
        if (area is 0 or 666 || area >= 900 || group == 0 || serial == 0)
        {
            return false;
        }

        hasContext = hasContext || TextChars.HasContext(text, g.Groups[0].Start, 40, SsnContext);
        score = hasContext ? 0.95 : 0.85;
        return true;
    }

    public static bool TryIpv4(ReadOnlySpan<char> text, scoped ref DigitGroups g, out int end)
    {
        end = 0;
        if (g.Plus || g.Count < 4 || g.AnyParenthesised(4) || !g.SeparatorsAre(4, '.')
            || (g.Count > 4 && g.Groups[4].SeparatorBefore == '.'))
        {
            return false;
        }

        for (var k = 0; k < 4; k++)
        {
            var octet = text[g.Groups[k].Start..g.Groups[k].End];
            if (octet.Length > 3 || (octet.Length > 1 && octet[0] == '0') || int.Parse(octet) > 255)
            {
                return false;
            }
        }

        var e = g.Groups[3].End;
        // A CIDR suffix ("10.0.0.0/8") still leaves the address an address.
        var cidr = e < text.Length && text[e] == '/';
        if ((!cidr && !CutOk(text, ref g, 4, e)) || TextChars.HasContext(text, g.Groups[0].Start, 12, VersionContext))
        {
            return false;
        }

        end = e;
        return true;
    }

    public static bool TryPhone(ReadOnlySpan<char> text, scoped ref DigitGroups g, out int end, out double score)
    {
        end = 0;
        score = 0;
        var start = g.Groups[0].Start;
        if (g.Plus)
        {
            // E.164: "+", a country code that does not start with 0, 8..15 digits in all, grouped any common way.
            for (var k = g.Count; k >= 1; k--)
            {
                var total = g.TotalDigits(k);
                if (total < 8)
                {
                    return false;
                }

                if (total > 15 || text[FirstDigit(text, start)] == '0' || (k > 1 && g.Groups[0].Digits > 3 && !g.Groups[0].Parenthesised))
                {
                    continue;
                }

                var e = g.Groups[k - 1].End;
                if (CutOk(text, ref g, k, e))
                {
                    end = e;
                    score = 0.9;
                    return true;
                }
            }

            return false;
        }

        // National formats are ambiguous with serials and references; what precedes decides.
        if (TextChars.HasContext(text, start, 12, ReferenceContext))
        {
            return false;
        }

        var context = TextChars.HasContext(text, start, 40, PhoneContext);
        if (TryNanp(text, ref g, context, out end))
        {
            score = context ? 0.9 : 0.75;
            return true;
        }

        if (TryTrunkZero(text, ref g, context, out end))
        {
            score = context ? 0.85 : 0.7;
            return true;
        }

        return false;
    }

    /// <summary>US and Canada: [1] NXX NXX XXXX as "(415) 555-2671", "415-555-2671", "415.555.2671", "1 415 555 2671".</summary>
    private static bool TryNanp(ReadOnlySpan<char> text, scoped ref DigitGroups g, bool context, out int end)
    {
        end = 0;
        var first = 0;
        if (g.Count >= 4 && g.Groups[0].Digits == 1 && text[g.Groups[0].Start] == '1' && !g.Groups[0].Parenthesised)
        {
            first = 1;
        }

        if (g.Count - first >= 3)
        {
            var a = g.Groups[first];
            var b = g.Groups[first + 1];
            var c = g.Groups[first + 2];
            var shape = a.Digits == 3 && b.Digits == 3 && c.Digits == 4 && !b.Parenthesised && !c.Parenthesised
                && c.SeparatorBefore is '-' or '.' or ' '
                && (a.Parenthesised ? b.SeparatorBefore is ' ' or '-' : b.SeparatorBefore == c.SeparatorBefore);
            if (shape && NanpValid(text, a, b) && CutOk(text, ref g, first + 3, c.End))
            {
                end = c.End;
                return true;
            }
        }

        if (context && g.Groups[0].Digits == 10 && !g.Groups[0].Parenthesised && CutOk(text, ref g, 1, g.Groups[0].End))
        {
            var s = g.Groups[0].Start;
            if (NanpValid(text, new DigitGroup(s, s + 3, 3, '\0', false), new DigitGroup(s + 3, s + 6, 3, '\0', false)))
            {
                end = g.Groups[0].End;
                return true;
            }
        }

        return false;
    }

    private static bool NanpValid(ReadOnlySpan<char> text, DigitGroup area, DigitGroup exchange) =>
        text[FirstDigit(text, area.Start)] >= '2' && text[exchange.Start] >= '2';

    /// <summary>
    /// National numbers with a trunk 0 (UK "020 7946 0958", DE "030 12345678" / "(089) 1234567", FR "01 23 45 67 89"):
    /// 10..12 digits, 0 then 1-9, grouped with one consistent separator; ungrouped only with phone context.
    /// </summary>
    private static bool TryTrunkZero(ReadOnlySpan<char> text, scoped ref DigitGroups g, bool context, out int end)
    {
        end = 0;
        var s = FirstDigit(text, g.Groups[0].Start);
        if (text[s] != '0' || s + 1 >= text.Length || !char.IsAsciiDigit(text[s + 1]) || text[s + 1] == '0')
        {
            return false;
        }

        for (var k = g.Count; k >= 1; k--)
        {
            var total = g.TotalDigits(k);
            if (total < 10)
            {
                return false;
            }

            if (total > 12 || (k == 1 && !context) || !CutOk(text, ref g, k, g.Groups[k - 1].End))
            {
                continue;
            }

            // One separator throughout, except that "(030) 1234" and "030/1234 5678" may change it after the area code.
            var from = g.Groups[0].Parenthesised || (k > 2 && g.Groups[1].SeparatorBefore == '/') ? 2 : 1;
            var ok = true;
            for (var i = 0; i < k && ok; i++)
            {
                var group = g.Groups[i];
                ok = group.Digits is >= 2 and <= 8 && (i == 0 || i < from || group.SeparatorBefore == g.Groups[from].SeparatorBefore)
                    && !(i > 0 && group.Parenthesised);
            }

            if (ok && (from == 1 || k <= 2 || g.Groups[from].SeparatorBefore is ' ' or '-' or '.'))
            {
                end = g.Groups[k - 1].End;
                return true;
            }
        }

        return false;
    }

    /// <summary>The entity may end after group <paramref name="k"/>: at the end of the read (a token boundary) or at a space.</summary>
    private static bool CutOk(ReadOnlySpan<char> text, scoped ref DigitGroups g, int k, int end) =>
        k == g.Count ? TextChars.EndsToken(text, end) : g.Groups[k].SeparatorBefore == ' ';

    private static bool GroupsAtLeast(scoped ref DigitGroups g, int k, int digits)
    {
        for (var i = 0; i < k; i++)
        {
            if (g.Groups[i].Digits < digits)
            {
                return false;
            }
        }

        return true;
    }

    private static int FirstDigit(ReadOnlySpan<char> text, int from)
    {
        while (from < text.Length && !char.IsAsciiDigit(text[from]))
        {
            from++;
        }

        return Math.Min(from, text.Length - 1);
    }

    private static int Digits(ReadOnlySpan<char> value, Span<byte> into)
    {
        var n = 0;
        foreach (var c in value)
        {
            if (char.IsAsciiDigit(c) && n < into.Length)
            {
                into[n++] = (byte)(c - '0');
            }
        }

        return n;
    }

    /// <summary>Issuer ranges and their card lengths (Visa, Mastercard, Amex, Discover, JCB, Diners, UnionPay, Maestro).</summary>
    private static bool IinValid(ReadOnlySpan<byte> d)
    {
        var length = d.Length;
        var two = d[0] * 10 + d[1];
        var three = two * 10 + d[2];
        var four = three * 10 + d[3];
        return d[0] switch
        {
            4 => length is 13 or 16 or 19,
            2 => four is >= 2221 and <= 2720 && length == 16,
            5 => two is >= 51 and <= 55 ? length == 16 : (two is 50 or >= 56) && length >= 13,
            3 => two is 34 or 37 ? length == 15
                : four is >= 3528 and <= 3589 ? length >= 16
                : (three is >= 300 and <= 305 || two is 36 or 38 or 39) && length >= 14,
            6 => length >= 13 && (four == 6011 || two is 65 or 62 or 63 or 67 || three is >= 644 and <= 649),
            _ => false,
        };
    }
}
