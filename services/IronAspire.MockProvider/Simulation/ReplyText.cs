namespace IronAspire.MockProvider.Simulation;

/// <summary>The assistant's reply: the normal English text or an echo, never longer than the max output tokens.</summary>
public static class ReplyText
{
    public const string Sentence =
        "IronAspire mock provider here. This is a deterministic reply used for demos, tests and benchmarks. " +
        "It has ordinary English words so token counts look realistic, and it repeats when a longer answer is needed. ";

    private static string s_long = Repeat(Sentence, 4096);

    /// <summary>
    /// The normal reply: <paramref name="tokens"/> tokens of text, cut at a word boundary so it ends naturally. Slices
    /// one shared string, so it costs no allocation.
    /// </summary>
    public static ReadOnlyMemory<char> Normal(int tokens)
    {
        var chars = TokenCount.MaxChars(tokens);
        var text = s_long;
        if (text.Length < chars)
        {
            // Rare (a reply of more than ~4K tokens): grow the shared text once.
            s_long = text = Repeat(Sentence, chars);
        }

        var reply = text.AsMemory(0, chars);
        var lastSpace = reply.Span.LastIndexOf(' ');
        if (chars < text.Length && text[chars] != ' ' && lastSpace > 0)
        {
            reply = reply[..lastSpace];
        }

        return reply.TrimEnd(' ');
    }

    /// <summary>The echo of <paramref name="text"/>, cut to <paramref name="maxTokens"/>; <paramref name="truncated"/> when it had to be.</summary>
    public static ReadOnlyMemory<char> Echo(string text, int maxTokens, out bool truncated)
    {
        var chars = TokenCount.MaxChars(maxTokens);
        truncated = text.Length > chars;
        if (!truncated)
        {
            return text.AsMemory();
        }

        // Never split a surrogate pair.
        if (chars > 0 && char.IsHighSurrogate(text[chars - 1]))
        {
            chars--;
        }

        return text.AsMemory(0, chars);
    }

    private static string Repeat(string text, int length)
    {
        var chars = new char[length];
        for (var i = 0; i < length; i += text.Length)
        {
            text.AsSpan(0, Math.Min(text.Length, length - i)).CopyTo(chars.AsSpan(i));
        }

        return new string(chars);
    }
}

/// <summary>Cuts a reply into stream deltas of a few words each; spaces lead each delta, so the deltas concatenate to the reply.</summary>
public struct ReplyChunks(ReadOnlyMemory<char> reply, int wordsPerChunk)
{
    private int _start;

    public bool TryNext(out ReadOnlyMemory<char> chunk)
    {
        var span = reply.Span;
        if (_start >= span.Length)
        {
            chunk = default;
            return false;
        }

        var end = _start;
        for (var words = 0; words < wordsPerChunk && end < span.Length; words++)
        {
            // Skip the leading spaces, then the word.
            while (end < span.Length && span[end] == ' ')
            {
                end++;
            }

            var next = span[end..].IndexOf(' ');
            end = next < 0 ? span.Length : end + next;
        }

        chunk = reply[_start..end];
        _start = end;
        return true;
    }
}
