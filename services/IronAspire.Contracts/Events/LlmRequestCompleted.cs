namespace IronAspire.Contracts.Events;

/// <summary>One LLM call that got an answer from a provider. Costs are decimal USD (nano-USD precision).</summary>
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
    DateTimeOffset Timestamp) : IIronAspireEvent;
