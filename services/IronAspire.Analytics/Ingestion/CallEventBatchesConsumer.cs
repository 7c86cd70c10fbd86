using IronAspire.Analytics.Data;
using IronAspire.Contracts.Events;
using MassTransit;

namespace IronAspire.Analytics.Ingestion;

/// <summary>
/// Stores the Router's batched calls: every call of every batch MassTransit groups together goes into llm_requests and
/// pii_detections in one statement each. Idempotent per call (its events' ids), so a redelivered batch, or a call
/// repeated in two batches, is counted once; a call PostgreSQL can never store is set aside alone.
/// </summary>
public sealed class CallEventBatchesConsumer(EventWriter writer, PoisonEvents poison) : IConsumer<Batch<CallEventBatch>>
{
    public Task Consume(ConsumeContext<Batch<CallEventBatch>> context)
    {
        var calls = new List<CallEvents>();
        foreach (var batch in context.Message)
        {
            calls.AddRange(batch.Message.Calls ?? []);
        }

        return poison.WriteAsync(context, calls, WriteAsync, Events);
    }

    private async Task WriteAsync(IReadOnlyList<CallEvents> calls, CancellationToken cancellationToken)
    {
        var requests = new List<LlmRequestRecord>(calls.Count);
        var pii = new List<PiiDetectionRecord>();
        foreach (var call in calls)
        {
            if (call.Completed is { } completed)
            {
                requests.Add(EventWriter.ToRecord(completed));
            }
            else if (call.Failed is { } failed)
            {
                requests.Add(EventWriter.ToRecord(failed));
            }

            foreach (var detection in call.PiiDetected ?? [])
            {
                pii.AddRange(EventWriter.ToRecords(detection));
            }
        }

        await writer.WriteRequestsAsync(requests, cancellationToken);
        await writer.WritePiiAsync(pii, cancellationToken);
    }

    private static IEnumerable<object> Events(CallEvents call)
    {
        if (call.Completed is { } completed)
        {
            yield return completed;
        }

        if (call.Failed is { } failed)
        {
            yield return failed;
        }

        foreach (var detection in call.PiiDetected ?? [])
        {
            yield return detection;
        }
    }
}
