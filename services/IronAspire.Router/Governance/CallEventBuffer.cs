using System.Diagnostics;
using IronAspire.Contracts.Events;

namespace IronAspire.Router.Governance;

/// <summary>
/// The calls waiting to go out in the next <see cref="CallEventBatch"/>, with the trace of each call (the batch's publish
/// continues the first one's and links the others). Thread-safe; hands out a batch when it is full or when asked.
/// </summary>
public sealed class CallEventBuffer(int batchSize)
{
    private readonly Lock _gate = new();
    private List<CallEvents> _calls = new(batchSize);
    private List<ActivityContext> _traces = new(batchSize);

    /// <summary>Adds a call; returns the full batch when it reached the size (else null), and whether it was the first of a new batch.</summary>
    public (PendingBatch? Full, bool First) Add(CallEvents call, ActivityContext trace)
    {
        lock (_gate)
        {
            _calls.Add(call);
            _traces.Add(trace);
            return (_calls.Count >= batchSize ? TakeLocked() : null, _calls.Count == 1);
        }
    }

    /// <summary>What is waiting, as one batch, or null when nothing is.</summary>
    public PendingBatch? Take()
    {
        lock (_gate)
        {
            return _calls.Count == 0 ? null : TakeLocked();
        }
    }

    private PendingBatch TakeLocked()
    {
        var batch = new PendingBatch(_calls, _traces);
        _calls = new List<CallEvents>(batchSize);
        _traces = new List<ActivityContext>(batchSize);
        return batch;
    }
}

public sealed record PendingBatch(List<CallEvents> Calls, List<ActivityContext> Traces);
