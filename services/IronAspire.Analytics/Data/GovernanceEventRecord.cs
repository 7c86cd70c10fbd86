namespace IronAspire.Analytics.Data;

/// <summary>A budget, circuit or agent event as published (table governance_events); Subject is the budget, provider or agent id.</summary>
public sealed class GovernanceEventRecord
{
    public Guid EventId { get; set; }
    public required string EventType { get; set; }
    public required string Subject { get; set; }
    public DateTimeOffset Timestamp { get; set; }
    public required string Payload { get; set; }
}
