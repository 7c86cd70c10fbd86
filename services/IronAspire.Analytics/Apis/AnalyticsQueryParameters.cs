using System.Globalization;
using IronAspire.Analytics.Queries;
using IronAspire.Validation;

namespace IronAspire.Analytics.Apis;

/// <summary>
/// The query string of the analytics endpoints, bound as plain strings so a malformed value gets our own 400 with a
/// clear message (not the framework's generic binding failure).
/// </summary>
public sealed record AnalyticsQueryParameters(
    string? AgentId,
    string? ProjectId,
    string? Provider,
    string? Model,
    string? From,
    string? To,
    string? Limit)
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1_000;
    private const int MaxIdLength = 200;

    /// <summary>
    /// Times outside this range are refused: arithmetic on them (a bucket's end, a default window before <c>to</c>)
    /// would overflow DateTimeOffset, and no call was ever recorded there.
    /// </summary>
    public static readonly DateTimeOffset EarliestTime = new(1970, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset LatestTime = new(9000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public bool TryParse(Dictionary<string, string[]> errors, out AnalyticsFilter filter, out int limit, int defaultLimit = DefaultLimit)
    {
        var from = ParseTime("from", From, errors);
        var to = ParseTime("to", To, errors);
        if (from is not null && to is not null && from > to)
        {
            errors["from"] = [$"from ({From}) must not be later than to ({To})."];
        }

        limit = defaultLimit;
        if (Limit is not null && (!int.TryParse(Limit, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxLimit))
        {
            errors["limit"] = [$"limit must be a whole number from 1 to {MaxLimit}."];
        }

        filter = new AnalyticsFilter(
            Id("agentId", AgentId, errors), Id("projectId", ProjectId, errors), Id("provider", Provider, errors), Id("model", Model, errors), from, to);
        return errors.Count == 0;
    }

    internal static DateTimeOffset? ParseTime(string name, string? value, Dictionary<string, string[]> errors)
    {
        if (value is null)
        {
            return null;
        }

        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            if (time < EarliestTime || time > LatestTime)
            {
                errors[name] = [$"{name} must be between {EarliestTime:yyyy-MM-dd} and {LatestTime:yyyy-MM-dd} (UTC)."];
                return null;
            }

            return time;
        }

        errors[name] = [$"{name} '{value}' is not a date and time; use ISO 8601, e.g. 2026-01-31T12:00:00Z."];
        return null;
    }

    private static string? Id(string name, string? value, Dictionary<string, string[]> errors)
    {
        if (value is null)
        {
            return null;
        }

        if (value.Length is 0 or > MaxIdLength || InputText.IsUnfitForId(value))
        {
            errors[name] = [$"{name}, when given, must be 1-{MaxIdLength} characters without control characters."];
            return null;
        }

        return value;
    }
}
