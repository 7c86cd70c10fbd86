namespace IronAspire.Contracts.Analytics;

/// <summary>Latency of completed calls in milliseconds; null when the range has no raw rows (see docs/analytics.md).</summary>
public sealed record LatencyPercentiles(double? P50, double? P95, double? P99);

/// <summary>GET /v1/analytics/summary. Requests include failures; <c>RateLimited</c> counts the failures that were rate-limit
/// refusals (429 rate_limit_exceeded). PII detections are entity counts by Presidio type.</summary>
public sealed record UsageSummary(
    long Requests,
    long Failures,
    long InputTokens,
    long CachedInputTokens,
    long OutputTokens,
    decimal CostUsd,
    IReadOnlyDictionary<string, long> PiiDetections,
    LatencyPercentiles LatencyMs,
    long RateLimited = 0);

/// <summary>One entry of GET /v1/analytics/agents.</summary>
public sealed record AgentUsage(
    string AgentId,
    long Requests,
    long Failures,
    long InputTokens,
    long CachedInputTokens,
    long OutputTokens,
    decimal CostUsd,
    IReadOnlyDictionary<string, long> PiiDetections,
    LatencyPercentiles LatencyMs,
    long RateLimited = 0);

/// <summary>One entry of GET /v1/analytics/models.</summary>
public sealed record ModelUsage(
    string Model,
    long Requests,
    long Failures,
    long InputTokens,
    long CachedInputTokens,
    long OutputTokens,
    decimal CostUsd,
    IReadOnlyDictionary<string, long> PiiDetections,
    LatencyPercentiles LatencyMs,
    long RateLimited = 0);

/// <summary>One bucket of GET /v1/analytics/timeseries; <see cref="Start"/> is the bucket's UTC start.</summary>
public sealed record UsagePoint(
    DateTimeOffset Start,
    long Requests,
    long Failures,
    long InputTokens,
    long CachedInputTokens,
    long OutputTokens,
    decimal CostUsd,
    LatencyPercentiles LatencyMs);

/// <summary>One stored budget, circuit or agent event (GET /v1/analytics/events).</summary>
public sealed record GovernanceEventEntry(Guid EventId, string Type, string Subject, DateTimeOffset Timestamp, System.Text.Json.JsonElement Payload);
