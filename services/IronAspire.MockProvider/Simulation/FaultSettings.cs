namespace IronAspire.MockProvider.Simulation;

/// <summary>
/// Faults the simulator injects. <see cref="Mode"/>: <c>timeout</c> (never answers), <c>drop</c> (closes the
/// connection before answering), <c>drop-mid-stream</c> (streams a few chunks, then closes the connection).
/// </summary>
public sealed record FaultSettings(
    int? Status = null,
    double? ErrorRate = null,
    string? Mode = null,
    int? LatencyMs = null,
    int? ChunkDelayMs = null,
    int? RetryAfterSeconds = null,
    string[]? Models = null,
    int? RemainingCount = null);
