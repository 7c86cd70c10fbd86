namespace IronAspire.Contracts.Events;

/// <summary>
/// PII found in one direction of one call: counts per entity type (Presidio names) and what the policy did.
/// Never carries values.
/// </summary>
public sealed record PiiDetected(
    Guid EventId,
    string RequestId,
    string AgentId,
    string? ProjectId,
    PiiDirection Direction,
    IReadOnlyDictionary<string, int> CountsByType,
    string Action,
    DateTimeOffset Timestamp) : IIronAspireEvent;

public enum PiiDirection
{
    Request,
    Response,
}
