namespace IronAspire.Pii.Detection;

/// <summary>Character classes the detectors share (ASCII only: every entity the engine knows is ASCII).</summary>
internal static class TextChars
{
    public static bool IsWord(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    public static bool IsToken(char c) => char.IsAsciiLetterOrDigit(c) || c == '_' || c == '-';

    public static bool IsBase64Url(char c) => char.IsAsciiLetterOrDigit(c) || c == '_' || c == '-';

    public static bool IsEmailLocal(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '%' or '+' or '-';

    public static bool IsIpv6(char c) => char.IsAsciiHexDigit(c) || c is ':' or '.';

    /// <summary>True when an entity may end before <paramref name="end"/>: the next char does not continue the token.</summary>
    public static bool EndsToken(ReadOnlySpan<char> text, int end)
    {
        if (end >= text.Length)
        {
            return true;
        }

        var c = text[end];
        if (IsWord(c) || c == '@')
        {
            return false;
        }

        // "4242-4242-...-99" or "10.0.0.1.5": a separator followed by a digit continues the number.
        return !(c is '-' or '.' or '/' or ':' && end + 1 < text.Length && char.IsAsciiDigit(text[end + 1]));
    }

    /// <summary>Case-insensitive search for any of <paramref name="words"/> (lower case), each at a word start, in the <paramref name="window"/> chars before <paramref name="start"/>.</summary>
    public static bool HasContext(ReadOnlySpan<char> text, int start, int window, ReadOnlySpan<string> words)
    {
        var from = Math.Max(0, start - window);
        Span<char> before = stackalloc char[Math.Min(window, 64)];
        before = before[..Math.Min(before.Length, start - from)];
        // One ASCII lower-casing of a short window, then ordinal (vectorised) searches.
        text[(start - before.Length)..start].ToLowerInvariant(before);
        foreach (var word in words)
        {
            var offset = 0;
            while (true)
            {
                var at = before[offset..].IndexOf(word);
                if (at < 0)
                {
                    break;
                }

                at += offset;
                // Only at the start of a word: "tel" is not in "hotel", "sn" not in "ssn".
                if (at == 0 || !char.IsAsciiLetter(before[at - 1]))
                {
                    return true;
                }

                offset = at + 1;
            }
        }

        return false;
    }
}
