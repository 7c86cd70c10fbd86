namespace IronAspire.Contracts.Analytics;

/// <summary>Latency of completed calls in milliseconds; null when the range has no raw rows (see docs/analytics.md).</summary>
public sealed record LatencyPercentiles(double? P50, double? P95, double? P99);

/// <summary>GET /v1/analytics/summary. Requests include failures. PII detections are entity counts by Presidio type.</summary>
public sealed record UsageSummary(
    long Requests,
    long Failures,
    long InputTokens,
    long CachedInputTokens,
    long OutputTokens,
    decimal CostUsd,
    IReadOnlyDictionary<string, long> PiiDetections,
    LatencyPercentiles LatencyMs);

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
    LatencyPercentiles LatencyMs);

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
    LatencyPercentiles LatencyMs);

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

/// <summary>One recorded call (GET /v1/analytics/calls), newest first; raw rows only, so the retention window bounds it.</summary>
public sealed record RecordedCall(
    Guid EventId,
    string RequestId,
    string AgentId,
    string? ProjectId,
    string Provider,
    string Model,
    bool Failed,
    string? ErrorType,
    int StatusCode,
    long InputTokens,
    long CachedInputTokens,
    long OutputTokens,
    decimal CostUsd,
    double LatencyMs,
    bool Streamed,
    DateTimeOffset Timestamp);
