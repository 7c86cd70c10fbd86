namespace IronAspire.Analytics.Data;

/// <summary>How many entities of one PII type one call had in one direction (table pii_detections). Never a value.</summary>
public sealed class PiiDetectionRecord
{
    public Guid EventId { get; set; }
    public required string PiiType { get; set; }
    public int Count { get; set; }
    public required string RequestId { get; set; }
    public required string AgentId { get; set; }
    public string? ProjectId { get; set; }
    public required string Direction { get; set; }
    public required string Action { get; set; }
    public DateTimeOffset Timestamp { get; set; }
}
