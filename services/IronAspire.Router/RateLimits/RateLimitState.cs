using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace IronAspire.Router.RateLimits;

/// <summary>
/// Where an agent stands against its limits after a call was admitted or refused: the <c>x-ratelimit-*</c> headers
/// OpenAI clients read, for the request and token limits the agent has (a limit it does not have gets no headers).
/// </summary>
public sealed record RateLimitState(
    int? RequestLimit, long RequestsRemaining, long RequestsResetMs,
    long? TokenLimit, long TokensRemaining, long TokensResetMs)
{
    public void WriteTo(IHeaderDictionary headers)
    {
        if (RequestLimit is { } requests)
        {
            headers["x-ratelimit-limit-requests"] = requests.ToString(CultureInfo.InvariantCulture);
            headers["x-ratelimit-remaining-requests"] = Math.Max(0, RequestsRemaining).ToString(CultureInfo.InvariantCulture);
            headers["x-ratelimit-reset-requests"] = Duration(RequestsResetMs);
        }

        if (TokenLimit is { } tokens)
        {
            headers["x-ratelimit-limit-tokens"] = tokens.ToString(CultureInfo.InvariantCulture);
            headers["x-ratelimit-remaining-tokens"] = Math.Max(0, TokensRemaining).ToString(CultureInfo.InvariantCulture);
            headers["x-ratelimit-reset-tokens"] = Duration(TokensResetMs);
        }
    }

    /// <summary>OpenAI's format for the reset headers: Go durations such as <c>250ms</c>, <c>12.5s</c>, <c>1m0s</c>.</summary>
    public static string Duration(long milliseconds)
    {
        milliseconds = Math.Max(0, milliseconds);
        if (milliseconds < 1000)
        {
            return milliseconds.ToString(CultureInfo.InvariantCulture) + "ms";
        }

        var seconds = milliseconds / 1000.0;
        if (seconds < 60)
        {
            return seconds.ToString("0.###", CultureInfo.InvariantCulture) + "s";
        }

        var minutes = (long)(seconds / 60);
        return minutes.ToString(CultureInfo.InvariantCulture) + "m" + (seconds - minutes * 60).ToString("0.###", CultureInfo.InvariantCulture) + "s";
    }
}
