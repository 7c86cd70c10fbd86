namespace IronAspire.Contracts.Events;

/// <summary>One LLM call that got an answer from a provider. Costs are decimal USD (nano-USD precision).</summary>
/// <remarks><see cref="ServingModel"/>: the model that served the call when it differs from the requested <c>Model</c> (a
/// fallback model, possibly in the other API); null when the requested model served it (and in events from older Routers).</remarks>
public sealed record LlmRequestCompleted(
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
    DateTimeOffset Timestamp,
    string? ServingModel = null) : IIronAspireEvent;
