namespace IronAspire.Contracts.Events;

/// <summary>
/// The events of many calls in one broker message: the Router publishes its calls in batches (flushed by size or after
/// a few milliseconds) so the broker and every consumer handle one message per batch, not per call. Each call keeps
/// its own events and ids, so consumers stay idempotent per call: a batch delivered twice, or a call repeated in two
/// batches, is counted once. <see cref="EventId"/> identifies the batch (one publish) only.
/// </summary>
public sealed record CallEventBatch(Guid EventId, IReadOnlyList<CallEvents> Calls, DateTimeOffset Timestamp) : IIronAspireEvent;

/// <summary>One call's events: exactly one of <see cref="Completed"/> and <see cref="Failed"/>, and its PII findings (per direction).</summary>
public sealed record CallEvents(LlmRequestCompleted? Completed, LlmRequestFailed? Failed, IReadOnlyList<PiiDetected> PiiDetected);
