using IronAspire.Contracts.Events;
using MassTransit;

namespace IronAspire.Analytics.Ingestion;

/// <summary>Stores completed and failed calls in llm_requests, one statement per batch.</summary>
public sealed class LlmRequestsConsumer(EventWriter writer, PoisonEvents poison) :
    IConsumer<Batch<LlmRequestCompleted>>,
    IConsumer<Batch<LlmRequestFailed>>
{
    public Task Consume(ConsumeContext<Batch<LlmRequestCompleted>> context) =>
        poison.WriteAsync(context, (events, ct) => writer.WriteRequestsAsync(events.Select(EventWriter.ToRecord).ToList(), ct));

    public Task Consume(ConsumeContext<Batch<LlmRequestFailed>> context) =>
        poison.WriteAsync(context, (events, ct) => writer.WriteRequestsAsync(events.Select(EventWriter.ToRecord).ToList(), ct));
}
