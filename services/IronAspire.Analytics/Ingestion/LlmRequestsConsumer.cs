using IronAspire.Contracts.Events;
using MassTransit;

namespace IronAspire.Analytics.Ingestion;

/// <summary>Stores completed and failed calls in llm_requests, one statement per batch.</summary>
public sealed class LlmRequestsConsumer(EventWriter writer) :
    IConsumer<Batch<LlmRequestCompleted>>,
    IConsumer<Batch<LlmRequestFailed>>
{
    public Task Consume(ConsumeContext<Batch<LlmRequestCompleted>> context) =>
        writer.WriteRequestsAsync(context.Message.Select(m => EventWriter.ToRecord(m.Message)).ToList(), context.CancellationToken);

    public Task Consume(ConsumeContext<Batch<LlmRequestFailed>> context) =>
        writer.WriteRequestsAsync(context.Message.Select(m => EventWriter.ToRecord(m.Message)).ToList(), context.CancellationToken);
}
