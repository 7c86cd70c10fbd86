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

/// <summary>One call of GET /v1/analytics/calls: what happened, never what was said (no prompt, response or PII value).</summary>
public sealed record CallEntry(
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
    double? TimeToFirstByteMs,
    bool Streamed,
    DateTimeOffset Timestamp);

/// <summary>A page of calls, newest first; <see cref="Next"/> is the cursor of the following (older) page, null on the last one.</summary>
public sealed record CallPage(IReadOnlyList<CallEntry> Items, string? Next);

/// <summary>GET /v1/analytics/calls/{eventId}: the call and the PII entity counts by type found in it.</summary>
public sealed record CallDetails(CallEntry Call, IReadOnlyDictionary<string, long> PiiDetections);

/// <summary>One bucket of one group of GET /v1/analytics/timeseries/breakdown (group = a model, agent, provider or error type).</summary>
public sealed record BreakdownPoint(DateTimeOffset Start, string Key, long Requests, long Failures, long Tokens, decimal CostUsd);

/// <summary>One entry of GET /v1/analytics/failures: failed calls with that error code (budget_exceeded, rate_limit_exceeded, ...).</summary>
public sealed record FailureCount(string ErrorType, long Failures);
