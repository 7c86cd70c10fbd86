namespace IronAspire.Analytics.Data;

/// <summary>PII entity counts per UTC day, agent, project ("" when none) and type (table daily_pii); kept after retention.</summary>
public sealed class DailyPii
{
    public DateOnly Day { get; set; }
    public required string AgentId { get; set; }
    public required string ProjectId { get; set; }
    public required string PiiType { get; set; }
    public long Detections { get; set; }
}
