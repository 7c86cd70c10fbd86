namespace IronAspire.Analytics.Data;

/// <summary>
/// Totals per UTC day, agent, project ("" when none), provider and model (table daily_usage), maintained in the same
/// statement that inserts the raw rows, so they survive retention. See docs/analytics.md.
/// </summary>
public sealed class DailyUsage
{
    public DateOnly Day { get; set; }
    public required string AgentId { get; set; }
    public required string ProjectId { get; set; }
    public required string Provider { get; set; }
    public required string Model { get; set; }
    public long Requests { get; set; }
    public long Failures { get; set; }

    /// <summary>Failures that were rate-limit refusals (error code rate_limit_exceeded).</summary>
    public long RateLimited { get; set; }
    public long InputTokens { get; set; }
    public long CachedInputTokens { get; set; }
    public long OutputTokens { get; set; }
    public decimal CostUsd { get; set; }
}
