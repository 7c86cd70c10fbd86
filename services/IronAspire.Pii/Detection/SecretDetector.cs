using System.Buffers;
using IronAspire.Contracts.Agents;

namespace IronAspire.Pii.Detection;

/// <summary>
/// Credentials, found by their published prefixes (one vectorised multi-string search) and checked for the shape
/// that follows: AWS access key ids, OpenAI / Anthropic keys, GitHub and Slack tokens, JWTs, PEM private key blocks
/// and IronAspire's own agent keys.
/// </summary>
internal static class SecretDetector
{
    /// <summary>The longest PEM block searched for its END line; RSA-16384 keys are about 12 KB.</summary>
    public const int MaxPemLength = 32 * 1024;

    /// <summary>The longest JWT recognised whole.</summary>
    public const int MaxJwtLength = 16 * 1024;

    public const string PemBegin = "-----BEGIN ";

    /// <summary>True when <paramref name="text"/> has a complete "-----END ...-----" line.</summary>
    public static bool HasPemEnd(ReadOnlySpan<char> text)
    {
        var at = text.IndexOf("-----END ");
        return at >= 0 && text[(at + 9)..].IndexOf("-----") >= 0;
    }

    internal static readonly string[] Prefixes =
    [
        "AKIA", "ASIA", "AIDA", "AROA", "AGPA", "ANPA", "AIPA",
        "sk-", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_",
        "xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-", "xoxe-",
        "eyJ", PemBegin, AgentKeyFormat.KeyPrefix,
    ];

    public static readonly SearchValues<string> PrefixSearch = SearchValues.Create(Prefixes, StringComparison.Ordinal);

    private const int AgentKeyBodyLength = 43;

    public static void Scan(ReadOnlySpan<char> text, int from, List<PiiFinding> findings)
    {
        var pos = from;
        while (pos < text.Length)
        {
            var rel = text[pos..].IndexOfAny(PrefixSearch);
            if (rel < 0)
            {
                return;
            }

            var i = pos + rel;
            if (TryMatch(text, i, out var end))
            {
                findings.Add(new PiiFinding(PiiEntityTypes.Secret, i, end, 1.0));
                pos = end;
            }
            else
            {
                pos = i + 1;
            }
        }
    }

    private static bool TryMatch(ReadOnlySpan<char> text, int i, out int end)
    {
        end = i;
        var rest = text[i..];
        if (rest[0] == '-')
        {
            return TryPem(text, i, out end);
        }

        if (i > 0 && TextChars.IsToken(text[i - 1]))
        {
            return false;
        }

        switch (rest[0])
        {
            case 'A':
                return Run(text, i + 4, IsUpperOrDigit, 16, 16, out end);
            case 's':
                return Run(text, i + 3, TextChars.IsToken, 20, 256, out end) && HasDigitAndLetter(text[(i + 3)..end]);
            case 'g' when rest.StartsWith("github_pat_"):
                return Run(text, i + 11, TextChars.IsWord, 22, 255, out end);
            case 'g':
                return Run(text, i + 4, char.IsAsciiLetterOrDigit, 30, 255, out end);
            case 'x':
                return Run(text, i + 5, TextChars.IsToken, 10, 255, out end);
            case 'e':
                return TryJwt(text, i, out end);
            case 'i':
                return Run(text, i + AgentKeyFormat.KeyPrefix.Length, TextChars.IsBase64Url, AgentKeyBodyLength, AgentKeyBodyLength, out end);
            default:
                return false;
        }
    }

    /// <summary>Between <paramref name="min"/> and <paramref name="max"/> chars matching <paramref name="allowed"/>, then a token boundary.</summary>
    private static bool Run(ReadOnlySpan<char> text, int from, Func<char, bool> allowed, int min, int max, out int end)
    {
        var p = from;
        while (p < text.Length && p - from <= max && allowed(text[p]))
        {
            p++;
        }

        end = p;
        var length = p - from;
        return length >= min && length <= max && (p >= text.Length || !TextChars.IsToken(text[p]));
    }

    private static bool IsUpperOrDigit(char c) => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c);

    private static bool HasDigitAndLetter(ReadOnlySpan<char> body) =>
        body.IndexOfAnyInRange('0', '9') >= 0 && (body.IndexOfAnyInRange('a', 'z') >= 0 || body.IndexOfAnyInRange('A', 'Z') >= 0);

    /// <summary>header.payload.signature, base64url, header and payload both JSON objects ("eyJ" = '{"').</summary>
    private static bool TryJwt(ReadOnlySpan<char> text, int i, out int end)
    {
        end = i;
        var p = i;
        var limit = Math.Min(text.Length, i + MaxJwtLength);
        for (var segment = 0; segment < 3; segment++)
        {
            var from = p;
            while (p < limit && (char.IsAsciiLetterOrDigit(text[p]) || text[p] is '_' or '-'))
            {
                p++;
            }

            var length = p - from;
            if (segment < 2)
            {
                if (length < 10 || p >= limit || text[p] != '.' || (segment == 1 && !text[from..].StartsWith("eyJ")))
                {
                    return false;
                }

                p++;
            }
        }

        if (p < text.Length && TextChars.IsToken(text[p]))
        {
            return false;
        }

        end = p;
        return true;
    }

    /// <summary>"-----BEGIN ... PRIVATE KEY-----" to its END line; without one, to the end of the base64 body.</summary>
    private static bool TryPem(ReadOnlySpan<char> text, int i, out int end)
    {
        end = i;
        var headerStart = i + PemBegin.Length;
        var window = text[headerStart..Math.Min(text.Length, headerStart + 48)];
        var close = window.IndexOf("-----");
        if (close < 0 || !window[..close].EndsWith("PRIVATE KEY"))
        {
            return false;
        }

        var bodyStart = headerStart + close + 5;
        var searchEnd = Math.Min(text.Length, i + MaxPemLength);
        var endLine = text[bodyStart..searchEnd].IndexOf("-----END ");
        if (endLine >= 0)
        {
            // The END line's label and dashes, as far as they have arrived.
            var p2 = bodyStart + endLine + 9;
            while (p2 < text.Length && (char.IsAsciiLetterUpper(text[p2]) || text[p2] == ' '))
            {
                p2++;
            }

            var dashes = 0;
            while (p2 < text.Length && text[p2] == '-' && dashes++ < 5)
            {
                p2++;
            }

            end = p2;
            return true;
        }

        var p = bodyStart;
        while (p < searchEnd && (char.IsAsciiLetterOrDigit(text[p]) || text[p] is '+' or '/' or '=' or '\r' or '\n' or ' ' or ':' or ',' or '-'))
        {
            p++;
        }

        end = p;
        return true;
    }
}
