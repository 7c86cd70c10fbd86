using System.Net;
using System.Net.Sockets;

namespace IronAspire.Pii.Detection;

/// <summary>E-mail addresses (from '@'), IPv6 addresses (from ':') and IBANs (from their check digits).</summary>
internal static class TextDetectors
{
    private const int MaxLocalPart = 64;
    private const int MaxDomain = 253;
    private const int MaxIpv6 = 45;

    /// <summary>Expands around the '@' at <paramref name="at"/>; <paramref name="floor"/> is where the previous finding ended.</summary>
    public static bool TryEmail(ReadOnlySpan<char> text, int at, int floor, out int start, out int end)
    {
        start = at;
        end = at;
        var l = at;
        while (l > floor && at - l < MaxLocalPart && TextChars.IsEmailLocal(text[l - 1]))
        {
            l--;
        }

        if (l > floor && TextChars.IsEmailLocal(text[l - 1]))
        {
            return false; // local part longer than RFC 5321 allows
        }

        while (l < at && text[l] is '.' or '-' or '+')
        {
            l++;
        }

        if (l == at || text[at - 1] == '.')
        {
            return false;
        }

        var r = at + 1;
        var lastDot = -1;
        var label = 0;
        while (r < text.Length && r - at <= MaxDomain)
        {
            var c = text[r];
            if (char.IsAsciiLetterOrDigit(c) || (c == '-' && label > 0))
            {
                label++;
                r++;
            }
            else if (c == '.' && label > 0 && r + 1 < text.Length && char.IsAsciiLetterOrDigit(text[r + 1]))
            {
                lastDot = r;
                label = 0;
                r++;
            }
            else
            {
                break;
            }
        }

        while (r > at + 1 && text[r - 1] == '-')
        {
            r--;
        }

        // A top-level domain is two or more letters.
        if (lastDot < 0 || r - lastDot - 1 < 2)
        {
            return false;
        }

        foreach (var c in text[(lastDot + 1)..r])
        {
            if (!char.IsAsciiLetter(c))
            {
                return false;
            }
        }

        start = l;
        end = r;
        return true;
    }

    /// <summary>
    /// Expands around the ':' at <paramref name="colon"/> over hex digits, colons and dots and parses the result.
    /// On failure <paramref name="end"/> is where scanning may resume (past an over-long run, else the colon).
    /// </summary>
    public static bool TryIpv6(ReadOnlySpan<char> text, int colon, int floor, out int start, out int end)
    {
        start = colon;
        end = colon + 1;
        var l = colon;
        while (l > floor && TextChars.IsIpv6(text[l - 1]) && colon - l <= MaxIpv6)
        {
            l--;
        }

        var r = colon + 1;
        while (r < text.Length && TextChars.IsIpv6(text[r]) && r - l <= MaxIpv6)
        {
            r++;
        }

        if (r - l > MaxIpv6)
        {
            // Longer than any address: skip the whole run so its other colons are not tried again.
            while (r < text.Length && TextChars.IsIpv6(text[r]))
            {
                r++;
            }

            end = r;
            return false;
        }

        while (r > colon + 1 && text[r - 1] == '.')
        {
            r--;
        }

        if ((l > 0 && TextChars.IsWord(text[l - 1])) || (r < text.Length && TextChars.IsWord(text[r])) || r - l < 6)
        {
            return false;
        }

        var candidate = text[l..r];
        if (candidate.Count(':') < 2 || candidate.IndexOfAnyInRange('0', '9') < 0)
        {
            return false;
        }

        if (!IPAddress.TryParse(candidate, out var address) || address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return false;
        }

        start = l;
        end = r;
        return true;
    }

    /// <summary>An IBAN starting at <paramref name="start"/> (two capital letters; check digits follow), compact or in groups of four.</summary>
    /// <remarks>When it fails, <paramref name="end"/> is where the IBAN-shaped text ends, so its groups are not taken for other numbers.</remarks>
    public static bool TryIban(ReadOnlySpan<char> text, int start, out int end)
    {
        end = start;
        var length = IbanCountries.LengthOf(text[start], text[start + 1]);
        if (length == 0 || start + 4 > text.Length || !char.IsAsciiDigit(text[start + 3]))
        {
            return false;
        }

        Span<char> iban = stackalloc char[IbanCountries.MaxLength];
        var spaced = start + 4 < text.Length && text[start + 4] == ' ';
        var p = start;
        for (var n = 0; n < length; n++)
        {
            if (spaced && n > 0 && n % 4 == 0)
            {
                if (p + 1 >= text.Length || text[p] != ' ' || !char.IsAsciiLetterOrDigit(text[p + 1]))
                {
                    end = p;
                    return false;
                }

                p++;
            }

            if (p >= text.Length || !(char.IsAsciiDigit(text[p]) || char.IsAsciiLetterUpper(text[p])))
            {
                end = p;
                return false;
            }

            iban[n] = text[p++];
        }

        end = p;
        if (!TextChars.EndsToken(text, p) || !Checksums.Mod97(iban[..length]))
        {
            return false;
        }

        end = p;
        return true;
    }
}
