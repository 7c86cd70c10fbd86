namespace IronAspire.MockProvider.Simulation;

/// <summary>
/// The simulator's tokenizer stand-in: one token per four characters, rounded up, plus OpenAI's chat framing
/// (three tokens per message and three to prime the reply). Close to what the providers report for English, and
/// deterministic, so tests and budgets can predict it.
/// </summary>
public static class TokenCount
{
    public const int CharsPerToken = 4;
    public const int PerMessage = 3;
    public const int ReplyPriming = 3;

    public static int OfChars(long chars) => (int)Math.Min(int.MaxValue, (chars + CharsPerToken - 1) / CharsPerToken);

    public static int Of(ReadOnlySpan<char> text) => OfChars(text.Length);

    /// <summary>The most characters a reply of <paramref name="tokens"/> tokens may have.</summary>
    public static int MaxChars(int tokens) => (int)Math.Min(int.MaxValue, (long)tokens * CharsPerToken);

    /// <summary>
    /// The UTF-16 length of a JSON string from its raw, still escaped, UTF-8 form (quotes excluded) — the length
    /// the string would have once parsed, without allocating it.
    /// </summary>
    public static int JsonStringLength(ReadOnlySpan<byte> raw)
    {
        var length = 0;
        for (var i = 0; i < raw.Length; i++)
        {
            var b = raw[i];
            if (b == (byte)'\\')
            {
                length++;
                i += i + 1 < raw.Length && raw[i + 1] == (byte)'u' ? 5 : 1;
            }
            else if (b < 0x80 || b is >= 0xC0 and < 0xF0)
            {
                // ASCII, or the lead byte of a character in the basic multilingual plane.
                length++;
            }
            else if (b >= 0xF0)
            {
                // A four-byte sequence is a surrogate pair in UTF-16.
                length += 2;
            }
        }

        return length;
    }
}
