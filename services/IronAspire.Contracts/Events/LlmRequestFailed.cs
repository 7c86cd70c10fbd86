namespace IronAspire.Contracts.Events;

/// <summary>
/// One LLM call that did not complete: refused by a policy or the budget, or failed upstream.
/// <see cref="ErrorType"/> is the error code the client saw (budget_exceeded, pii_blocked, provider_unavailable, upstream_error, ...).
/// Provider and Model are empty when the call failed before they were known.
/// </summary>
/// <remarks><see cref="ServingModel"/>: the model that served the call when it differs from the requested <c>Model</c> (a
/// fallback model, possibly in the other API); null when the requested model served it (and in events from older Routers).</remarks>
public sealed record LlmRequestFailed(
    Guid EventId,
    string RequestId,
    string AgentId,
    string? ProjectId,
    string Provider,
    string Model,
    long InputTokens,
    long CachedInputTokens,
    long OutputTokens,
    decimal CostUsd,
    double LatencyMs,
    double? TimeToFirstByteMs,
    bool Streamed,
    int StatusCode,
    string ErrorType,
    DateTimeOffset Timestamp,
    string? ServingModel = null) : IIronAspireEvent;
