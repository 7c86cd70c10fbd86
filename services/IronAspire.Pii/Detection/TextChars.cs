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

    /// <summary>Case-insensitive search for any of <paramref name="words"/>, each at a word start, in the <paramref name="window"/> chars before <paramref name="start"/>.</summary>
    public static bool HasContext(ReadOnlySpan<char> text, int start, int window, ReadOnlySpan<string> words)
    {
        var from = Math.Max(0, start - window);
        var before = text[from..start];
        foreach (var word in words)
        {
            // Only at the start of a word: "tel" is not in "hotel", "sn" not in "SSN".
            var at = before.IndexOf(word, StringComparison.OrdinalIgnoreCase);
            while (at >= 0)
            {
                if (at == 0 || !char.IsAsciiLetter(before[at - 1]))
                {
                    return true;
                }

                var next = before[(at + 1)..].IndexOf(word, StringComparison.OrdinalIgnoreCase);
                at = next < 0 ? -1 : at + 1 + next;
            }
        }

        return false;
    }
}
