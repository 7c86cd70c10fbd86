namespace IronAspire.MockProvider.Simulation;

/// <summary>
/// Faults the simulator injects, set with <c>PUT /admin/faults</c>. <see cref="Mode"/>: <c>timeout</c> (never
/// answers), <c>drop</c> (closes the connection before answering), <c>drop-mid-stream</c> (sends part of the
/// response, then closes the connection). <see cref="Status"/> answers with that HTTP status in the provider's error
/// format. With only <see cref="ErrorRate"/>, failures are HTTP 500. <see cref="Models"/> limits the faults to those
/// models; <see cref="RemainingCount"/> to the next N matching requests.
/// </summary>
public sealed record FaultSettings(
    int? Status = null,
    double? ErrorRate = null,
    string? Mode = null,
    int? LatencyMs = null,
    int? ChunkDelayMs = null,
    int? RetryAfterSeconds = null,
    string[]? Models = null,
    int? RemainingCount = null)
{
    public const string Timeout = "timeout";
    public const string Drop = "drop";
    public const string DropMidStream = "drop-mid-stream";

    public static bool IsKnownMode(string? mode) => mode is null or Timeout or Drop or DropMidStream;

    /// <summary>Whether this request is hit, given the error rate (1 when none is set).</summary>
    public bool Strikes() => ErrorRate is not { } rate || (rate > 0 && Random.Shared.NextDouble() < rate);

    /// <summary>Whether the settings fail requests at all (rather than only slowing them down).</summary>
    public bool Fails => Mode is not null || Status is not null || ErrorRate is not null;
}
