namespace IronAspire.Pii.Detection;

/// <summary>The check digits that separate real identifiers from look-alike digit strings.</summary>
public static class Checksums
{
    /// <summary>Luhn (mod 10) over the digits of <paramref name="value"/>; other characters are ignored.</summary>
    public static bool Luhn(ReadOnlySpan<char> value)
    {
        int sum = 0, count = 0;
        for (var i = value.Length - 1; i >= 0; i--)
        {
            var c = value[i];
            if (!char.IsAsciiDigit(c))
            {
                continue;
            }

            var d = c - '0';
            if ((count & 1) == 1)
            {
                d *= 2;
                if (d > 9)
                {
                    d -= 9;
                }
            }

            sum += d;
            count++;
        }

        return count >= 2 && sum % 10 == 0;
    }

    /// <summary>
    /// ISO 7064 MOD 97-10 as IBAN uses it: letters and digits only (other characters ignored), the first four moved
    /// to the end, letters counted as 10..35; valid when the remainder is 1.
    /// </summary>
    public static bool Mod97(ReadOnlySpan<char> value)
    {
        Span<char> buffer = stackalloc char[64];
        var n = 0;
        foreach (var c in value)
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                if (n == buffer.Length)
                {
                    return false;
                }

                buffer[n++] = char.ToUpperInvariant(c);
            }
        }

        if (n < 5)
        {
            return false;
        }

        var remainder = 0;
        for (var k = 0; k < n; k++)
        {
            var c = buffer[(k + 4) % n];
            if (char.IsAsciiDigit(c))
            {
                remainder = (remainder * 10 + (c - '0')) % 97;
            }
            else
            {
                remainder = (remainder * 100 + (c - 'A' + 10)) % 97;
            }
        }

        return remainder == 1;
    }
}
