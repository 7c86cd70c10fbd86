namespace IronAspire.Analytics.Data;

/// <summary>One LLM call, completed or failed (table llm_requests). No prompt, response or PII value is stored.</summary>
public sealed class LlmRequestRecord
{
    public Guid EventId { get; set; }
    public required string RequestId { get; set; }
    public required string AgentId { get; set; }
    public string? ProjectId { get; set; }
    public required string Provider { get; set; }
    public required string Model { get; set; }

    /// <summary>The model that served the call when a fallback model did; null when the requested one did.</summary>
    public string? ServingModel { get; set; }
    public bool Failed { get; set; }
    public string? ErrorType { get; set; }
    public int StatusCode { get; set; }
    public long InputTokens { get; set; }
    public long CachedInputTokens { get; set; }
    public long OutputTokens { get; set; }
    public decimal CostUsd { get; set; }
    public double LatencyMs { get; set; }
    public double? TimeToFirstByteMs { get; set; }
    public bool Streamed { get; set; }
    public DateTimeOffset Timestamp { get; set; }
}
