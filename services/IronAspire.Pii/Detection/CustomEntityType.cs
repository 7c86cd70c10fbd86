using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace IronAspire.Pii.Detection;

/// <summary>How a custom entity's match is validated before it counts.</summary>
[JsonConverter(typeof(Policies.SnakeCaseEnumConverter<ChecksumKind>))]
public enum ChecksumKind
{
    None,
    Luhn,
    Mod97,
}

/// <summary>
/// A policy-defined entity type: a name (UPPER_SNAKE), a .NET regular expression and an optional checksum.
/// Patterns run with <see cref="RegexOptions.NonBacktracking"/>, so scanning time stays linear in the input whatever
/// the pattern; <see cref="MaxLength"/> bounds how much a stream holds back for it.
/// </summary>
public sealed record CustomEntityType
{
    public const int MaxPatternLength = 512;
    public const int MaxMatchLength = 256;

    public required string Name { get; init; }
    public required string Pattern { get; init; }
    public ChecksumKind Validation { get; init; } = ChecksumKind.None;
    public double Score { get; init; } = 0.9;

    /// <summary>The longest value the pattern is meant to match (chars); streaming holds back this much.</summary>
    public int MaxLength { get; init; } = 64;

    internal static Regex Compile(string pattern) =>
        new(pattern, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture);

    /// <summary>Why this definition cannot be used, or null when it can.</summary>
    public string? Problem()
    {
        if (string.IsNullOrEmpty(Name) || Name.Length > 40 || !char.IsAsciiLetterUpper(Name[0])
            || Name.AsSpan().IndexOfAnyExcept("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") >= 0)
        {
            return "name must be 1-40 chars of A-Z, 0-9 and '_', starting with a letter";
        }

        if (PiiEntityTypes.IsBuiltIn(Name))
        {
            return $"'{Name}' is a built-in type";
        }

        if (string.IsNullOrEmpty(Pattern) || Pattern.Length > MaxPatternLength)
        {
            return $"pattern must be 1-{MaxPatternLength} chars";
        }

        if (Score is <= 0 or > 1 || double.IsNaN(Score))
        {
            return "score must be in (0, 1]";
        }

        if (MaxLength is < 1 or > MaxMatchLength)
        {
            return $"maxLength must be 1-{MaxMatchLength}";
        }

        try
        {
            var regex = Compile(Pattern);
            if (regex.IsMatch(""))
            {
                return "pattern matches the empty string";
            }
        }
        catch (ArgumentException e)
        {
            return "pattern is not a valid regular expression: " + e.Message;
        }
        catch (NotSupportedException e)
        {
            // Backreferences, lookarounds and atomic groups cannot run in linear time.
            return "pattern uses a construct that cannot run without backtracking: " + e.Message;
        }

        return null;
    }
}

/// <summary>A compiled custom type.</summary>
internal sealed class CustomDetector(CustomEntityType definition)
{
    private readonly Regex _regex = CustomEntityType.Compile(definition.Pattern);

    public CustomEntityType Definition { get; } = definition;

    public void Scan(ReadOnlySpan<char> text, int from, List<PiiFinding> findings)
    {
        foreach (var match in _regex.EnumerateMatches(text))
        {
            if (match.Index < from || match.Length == 0 || match.Length > CustomEntityType.MaxMatchLength)
            {
                continue;
            }

            var value = text.Slice(match.Index, match.Length);
            var valid = Definition.Validation switch
            {
                ChecksumKind.Luhn => Checksums.Luhn(value),
                ChecksumKind.Mod97 => Checksums.Mod97(value),
                _ => true,
            };
            if (valid)
            {
                findings.Add(new PiiFinding(Definition.Name, match.Index, match.Index + match.Length, Definition.Score));
            }
        }
    }
}
