namespace IronAspire.Validation;

/// <summary>
/// The text rules every entry point applies before anything is reserved or stored (docs/security.md): identifiers
/// (agent, project, request ids, model names, query parameters) hold no control characters, and no string holds a NUL
/// or an unpaired UTF-16 surrogate — PostgreSQL refuses the first (22021) and a JSON writer the second, so either would
/// otherwise fail later, behind an accepted call.
/// </summary>
public static class InputText
{
    /// <summary>True when the text has a control character (C0, DEL or C1) or an unpaired surrogate.</summary>
    public static bool IsUnfitForId(ReadOnlySpan<char> text) => HasControl(text) || HasLoneSurrogate(text);

    /// <summary>True when free text cannot be stored or serialised: a NUL or an unpaired surrogate.</summary>
    public static bool IsUnfitForText(ReadOnlySpan<char> text) => text.Contains('\0') || HasLoneSurrogate(text);

    public static bool HasControl(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (char.IsControl(c))
            {
                return true;
            }
        }

        return false;
    }

    public static bool HasLoneSurrogate(ReadOnlySpan<char> text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>An x-request-id (or any id a client echoes through headers): 1-128 visible ASCII characters.</summary>
    public static bool IsHeaderToken(ReadOnlySpan<char> text, int maxLength = 128)
    {
        if (text.IsEmpty || text.Length > maxLength)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (c is < '!' or > '~')
            {
                return false;
            }
        }

        return true;
    }
}
