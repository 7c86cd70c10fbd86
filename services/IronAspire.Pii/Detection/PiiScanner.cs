using System.Buffers;

namespace IronAspire.Pii.Detection;

/// <summary>
/// Finds PII in text. Prose is skipped with two vectorised searches (digits, '@' and ':' as trigger characters;
/// the known secret prefixes as one multi-string search); only the candidates they land on are parsed and
/// validated. Every detector reads a bounded window, so the cost is linear in the input, adversarial or not.
/// Thread-safe and immutable: build once per policy and share.
/// </summary>
public sealed class PiiScanner
{
    private const string Digits = "0123456789";
    private const BuiltInTypes NumberTypes = BuiltInTypes.Phone | BuiltInTypes.CreditCard | BuiltInTypes.UsSsn | BuiltInTypes.Iban | BuiltInTypes.IpAddress;

    private readonly BuiltInTypes _types;
    private readonly SearchValues<char>? _triggers;
    private readonly CustomDetector[] _custom;

    /// <summary>Every built-in type, no custom types.</summary>
    public static PiiScanner Default { get; } = new(PiiEntityTypes.BuiltIn);

    /// <param name="types">The types to find: built-in names and names of <paramref name="customTypes"/>.</param>
    /// <param name="customTypes">Policy-defined types; validate them first with <see cref="CustomEntityType.Problem"/>.</param>
    public PiiScanner(IEnumerable<string> types, IEnumerable<CustomEntityType>? customTypes = null)
    {
        var wanted = types.ToHashSet(StringComparer.Ordinal);
        foreach (var type in wanted)
        {
            _types |= PiiEntityTypes.ToFlag(type);
        }

        _custom = (customTypes ?? []).Where(c => wanted.Contains(c.Name)).Select(c => new CustomDetector(c)).ToArray();
        // Trigger only on what the enabled types start from: digits (numbers), '@' (e-mail), ':' (IPv6).
        var triggers = ((_types & NumberTypes) != 0 ? Digits : "")
            + ((_types & BuiltInTypes.Email) != 0 ? "@" : "")
            + ((_types & BuiltInTypes.IpAddress) != 0 ? ":" : "");
        _triggers = triggers.Length == 0 ? null : SearchValues.Create(triggers);

        Types = wanted;
        MaxCustomLength = _custom.Length == 0 ? 0 : _custom.Max(c => c.Definition.MaxLength);
    }

    /// <summary>The types this scanner reports.</summary>
    public IReadOnlySet<string> Types { get; }

    /// <summary>The longest custom value (0 without custom types): streaming holds back at least this much.</summary>
    public int MaxCustomLength { get; }

    public bool IsEmpty => _types == BuiltInTypes.None && _custom.Length == 0;

    internal bool Finds(BuiltInTypes type) => (_types & type) != 0;

    public List<PiiFinding> Scan(ReadOnlySpan<char> text)
    {
        var findings = new List<PiiFinding>();
        Scan(text, findings);
        return findings;
    }

    /// <summary>Appends the findings in <paramref name="text"/>, ordered by start and never overlapping.</summary>
    public void Scan(ReadOnlySpan<char> text, List<PiiFinding> findings) => Scan(text, 0, findings);

    /// <summary>
    /// Findings that start at or after <paramref name="from"/>; the text before it is only looked at (boundaries,
    /// context words), as a stream's already-emitted context is.
    /// </summary>
    internal void Scan(ReadOnlySpan<char> text, int from, List<PiiFinding> findings)
    {
        if (!ObfuscationFolding.Applies(text))
        {
            ScanFolded(text, from, findings);
            return;
        }

        // Zero-width or full-width characters: scan the folded copy, then map every finding back onto the original.
        var (folded, length, origin) = ObfuscationFolding.Fold(text);
        var first = findings.Count;
        ScanFolded(folded.AsSpan(0, length), ObfuscationFolding.FoldedIndex(origin, length, from), findings);
        for (var i = first; i < findings.Count; i++)
        {
            var f = findings[i];
            findings[i] = f with { Start = origin[f.Start], End = origin[f.End - 1] + 1 };
        }
    }

    private void ScanFolded(ReadOnlySpan<char> text, int from, List<PiiFinding> findings)
    {
        var first = findings.Count;
        var sources = 0;
        if (Finds(BuiltInTypes.Secret))
        {
            SecretDetector.Scan(text, from, findings);
            sources++;
        }

        if (_triggers is not null)
        {
            var secretsEnd = findings.Count;
            ScanTriggers(text, from, findings, first, secretsEnd);
            sources += findings.Count > secretsEnd ? 1 : 0;
        }

        foreach (var custom in _custom)
        {
            var before = findings.Count;
            custom.Scan(text, from, findings);
            sources += findings.Count > before ? 1 : 0;
        }

        if (sources > 1)
        {
            Normalise(findings, first);
        }
    }

    private void ScanTriggers(ReadOnlySpan<char> text, int from, List<PiiFinding> findings, int secretsFrom, int secretsEnd)
    {
        var secret = secretsFrom;
        var floor = from;
        var pos = from;
        while (pos < text.Length)
        {
            var rel = text[pos..].IndexOfAny(_triggers!);
            if (rel < 0)
            {
                return;
            }

            var i = pos + rel;

            // Secrets were found first; never look inside one.
            while (secret < secretsEnd && findings[secret].End <= i)
            {
                floor = Math.Max(floor, findings[secret].End);
                secret++;
            }

            if (secret < secretsEnd && findings[secret].Start <= i)
            {
                pos = findings[secret].End;
                continue;
            }

            var ceiling = secret < secretsEnd ? findings[secret].Start : text.Length;
            var window = text[..ceiling];
            int start, end;
            string? type = null;
            var score = 1.0;
            var c = text[i];
            if (c == '@')
            {
                if (Finds(BuiltInTypes.Email) && TextDetectors.TryEmail(window, i, floor, out start, out end))
                {
                    type = PiiEntityTypes.EmailAddress;
                }
                else
                {
                    pos = i + 1;
                    continue;
                }
            }
            else if (c == ':')
            {
                if (!Finds(BuiltInTypes.IpAddress))
                {
                    pos = i + 1;
                    continue;
                }

                if (!TextDetectors.TryIpv6(window, i, floor, out start, out end))
                {
                    pos = Math.Max(end, i + 1);
                    continue;
                }

                type = PiiEntityTypes.IpAddress;
                score = 0.9;
            }
            else if (!TryNumber(window, i, floor, out type, out start, out end, out score))
            {
                pos = Math.Max(end, i + 1);
                continue;
            }

            findings.Add(new PiiFinding(type!, start, end, score));
            floor = end;
            pos = end;
        }
    }

    /// <summary>
    /// The number-like entity whose first digit is at <paramref name="i"/>. When there is none, <paramref name="end"/>
    /// is where scanning resumes: past the token, or past the whole run when it is one rejected number (an IBAN with
    /// wrong check digits, a card failing Luhn), so its groups are not re-read as shorter numbers.
    /// </summary>
    private bool TryNumber(ReadOnlySpan<char> text, int i, int floor, out string? type, out int start, out int end, out double score)
    {
        type = null;
        start = i;
        end = i;
        score = 1.0;

        // IBAN: two capital letters right before the check digits.
        if (Finds(BuiltInTypes.Iban) && i >= floor + 2 && char.IsAsciiLetterUpper(text[i - 1]) && char.IsAsciiLetterUpper(text[i - 2])
            && (i < 3 || !TextChars.IsWord(text[i - 3])) && IbanCountries.LengthOf(text[i - 2], text[i - 1]) > 0)
        {
            if (TextDetectors.TryIban(text, i - 2, out end))
            {
                type = PiiEntityTypes.IbanCode;
                start = i - 2;
                return true;
            }

            end = Math.Max(end, SkipToken(text, i));
            return false;
        }

        end = SkipToken(text, i);
        if ((_types & (NumberTypes & ~BuiltInTypes.Iban)) == 0 || (i > 0 && !StartsNumber(text, i)))
        {
            return false;
        }

        var groups = DigitGroups.Read(text, i);
        if (groups.Overflow)
        {
            end = Math.Max(end, groups.StoppedAt);
            return false;
        }

        // A card-length run that is no card (failed Luhn) is one number: its tail groups are not a phone.
        if (groups.TotalDigits(groups.Count) >= 13)
        {
            end = Math.Max(end, groups.End(i));
        }

        int e;
        if (Finds(BuiltInTypes.UsSsn) && NumberDetectors.TryUsSsn(text, ref groups, out e, out score))
        {
            type = PiiEntityTypes.UsSsn;
        }
        else if (Finds(BuiltInTypes.CreditCard) && NumberDetectors.TryCreditCard(text, ref groups, out e))
        {
            type = PiiEntityTypes.CreditCard;
            score = 1.0;
        }
        else if (Finds(BuiltInTypes.IpAddress) && NumberDetectors.TryIpv4(text, ref groups, out e))
        {
            type = PiiEntityTypes.IpAddress;
            score = 0.85;
        }
        else
        {
            e = 0;
        }

        if (type is null && Finds(BuiltInTypes.Phone))
        {
            // A phone may start with "+" or "(" before its first digit: "+44 20 7946 0958", "(415) 555-2671".
            if (i > floor && text[i - 1] is '+' or '(' && StartsNumber(text, i - 1))
            {
                var wider = DigitGroups.Read(text, i - 1);
                if (!wider.Overflow && wider.Count > 0)
                {
                    if (NumberDetectors.TryPhone(text, ref wider, out e, out score))
                    {
                        type = PiiEntityTypes.PhoneNumber;
                        start = i - 1;
                    }
                }
            }

            if (type is null && NumberDetectors.TryPhone(text, ref groups, out e, out score))
            {
                type = PiiEntityTypes.PhoneNumber;
                start = i;
            }
        }

        if (type is null)
        {
            return false;
        }

        end = e;
        return true;
    }

    /// <summary>
    /// A number may start at <paramref name="at"/>: it does not continue a token ("ORD-2024-118734", "v1.2.3.4",
    /// "x86") and is not an amount or a reference ("$1299", "#4242...").
    /// </summary>
    private static bool StartsNumber(ReadOnlySpan<char> text, int at)
    {
        if (at == 0)
        {
            return true;
        }

        var prev = text[at - 1];
        return !(TextChars.IsWord(prev) || prev is '#' or '$' or '€' or '£' or '¥'
            || (prev is '-' or '.' or '/' && at >= 2 && char.IsAsciiLetterOrDigit(text[at - 2])));
    }

    /// <summary>Past the rest of the token at <paramref name="i"/> (letters, digits, '_', '-', '.'), so a long run is read once.</summary>
    private static int SkipToken(ReadOnlySpan<char> text, int i)
    {
        var p = i + 1;
        while (p < text.Length && (TextChars.IsToken(text[p]) || text[p] == '.'))
        {
            p++;
        }

        return p;
    }

    /// <summary>Orders findings by start and drops overlaps, keeping the earlier (then longer) one.</summary>
    private static void Normalise(List<PiiFinding> findings, int first)
    {
        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(findings)[first..];
        span.Sort(static (a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : b.End.CompareTo(a.End));
        var kept = first;
        var lastEnd = -1;
        for (var k = first; k < findings.Count; k++)
        {
            if (findings[k].Start >= lastEnd)
            {
                findings[kept++] = findings[k];
                lastEnd = findings[k].End;
            }
        }

        findings.RemoveRange(kept, findings.Count - kept);
    }
}
