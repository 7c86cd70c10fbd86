namespace IronAspire.Analytics.Queries;

/// <summary>Validated query filters; <see cref="From"/> is inclusive, <see cref="To"/> exclusive.</summary>
public sealed record AnalyticsFilter(
    string? AgentId = null,
    string? ProjectId = null,
    string? Provider = null,
    string? Model = null,
    DateTimeOffset? From = null,
    DateTimeOffset? To = null);

/// <summary>Which rows a grouped usage query returns: one overall, one per agent, or one per model.</summary>
public enum UsageGrouping
{
    None,
    Agent,
    Model,
}

/// <summary>Timeseries bucket width.</summary>
public enum TimeBucket
{
    Minute,
    Hour,
}

/// <summary>A grouped usage total before it is shaped into the API's records.</summary>
public sealed record UsageRow(
    string Key,
    long Requests,
    long Failures,
    long InputTokens,
    long CachedInputTokens,
    long OutputTokens,
    decimal CostUsd,
    double? P50,
    double? P95,
    double? P99,
    IReadOnlyDictionary<string, long> PiiDetections,
    long RateLimited = 0);
