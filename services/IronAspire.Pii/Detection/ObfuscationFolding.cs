using System.Buffers;

namespace IronAspire.Pii.Detection;

/// <summary>
/// Undoes the cheap disguises of a value before the detectors look (docs/pii.md): invisible characters inside it
/// (zero-width space, joiners, word joiner, BOM, soft hyphen) are skipped, and full-width forms (<c>４２４２</c>,
/// <c>ａ＠ｂ．ｉｏ</c>, the ideographic space) read as their ASCII twins. The detectors scan the folded copy; each
/// finding is mapped back to the original span, invisible characters included, so redaction covers all of it.
/// </summary>
internal static class ObfuscationFolding
{
    private static readonly SearchValues<char> Foldable = SearchValues.Create(BuildFoldable());

    public static bool Applies(ReadOnlySpan<char> text) => text.ContainsAny(Foldable);

    /// <summary>
    /// The folded text, and for each folded char the index of the original char it came from (plus one entry for the
    /// end, so an exclusive end maps too).
    /// </summary>
    public static (char[] Folded, int Length, int[] Origin) Fold(ReadOnlySpan<char> text)
    {
        var folded = new char[text.Length];
        var origin = new int[text.Length + 1];
        var length = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (IsInvisible(c))
            {
                continue;
            }

            folded[length] = c switch
            {
                >= '\uFF01' and <= '\uFF5E' => (char)(c - 0xFEE0),
                '\u3000' => ' ',
                _ => c,
            };
            origin[length++] = i;
        }

        origin[length] = text.Length;
        return (folded, length, origin);
    }

    /// <summary>The first folded index whose original is at or after <paramref name="originalIndex"/>.</summary>
    public static int FoldedIndex(int[] origin, int length, int originalIndex)
    {
        var index = Array.BinarySearch(origin, 0, length + 1, originalIndex);
        return index >= 0 ? index : ~index;
    }

    private static bool IsInvisible(char c) => c is '\u200B' or '\u200C' or '\u200D' or '\u2060' or '\uFEFF' or '\u00AD';

    private static string BuildFoldable()
    {
        var chars = new List<char> { '\u200B', '\u200C', '\u200D', '\u2060', '\uFEFF', '\u00AD', '\u3000' };
        for (var c = '\uFF01'; c <= '\uFF5E'; c++)
        {
            chars.Add(c);
        }

        return new string(chars.ToArray());
    }
}
