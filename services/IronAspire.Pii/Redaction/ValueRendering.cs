namespace IronAspire.Pii.Redaction;

/// <summary>Writes a redacted value in a given style.</summary>
internal static class ValueRendering
{
    private const int MaskKeep = 4;

    public static string Placeholder(string type) => "[" + type + "]";

    /// <summary>
    /// Letters and digits become '*' except the last four; separators stay, so the shape is still readable
    /// ("**** **** **** 4242"). E-mail keeps the first letter of the mailbox and the domain ("j***@example.com").
    /// </summary>
    public static string Mask(string type, ReadOnlySpan<char> value)
    {
        if (type == PiiEntityTypes.EmailAddress)
        {
            var at = value.LastIndexOf('@');
            if (at > 0)
            {
                return string.Concat(value[..1], "***", value[at..]);
            }
        }

        var alnum = 0;
        foreach (var c in value)
        {
            alnum += char.IsAsciiLetterOrDigit(c) ? 1 : 0;
        }

        var keepFrom = alnum > MaskKeep * 2 ? alnum - MaskKeep : int.MaxValue;
        return string.Create(value.Length, (keepFrom, value.ToString()), static (span, state) =>
        {
            var seen = 0;
            for (var i = 0; i < span.Length; i++)
            {
                var c = state.Item2[i];
                if (char.IsAsciiLetterOrDigit(c))
                {
                    span[i] = seen++ >= state.keepFrom ? c : '*';
                }
                else
                {
                    span[i] = c;
                }
            }
        });
    }
}
