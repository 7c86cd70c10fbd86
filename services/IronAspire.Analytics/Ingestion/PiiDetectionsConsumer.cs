using IronAspire.Contracts.Events;
using MassTransit;

namespace IronAspire.Analytics.Ingestion;

/// <summary>Stores PII counts per type (never values) in pii_detections.</summary>
public sealed class PiiDetectionsConsumer(EventWriter writer, PoisonEvents poison) : IConsumer<Batch<PiiDetected>>
{
    public Task Consume(ConsumeContext<Batch<PiiDetected>> context) =>
        poison.WriteAsync(context, (events, ct) => writer.WritePiiAsync(events.SelectMany(EventWriter.ToRecords).ToList(), ct));
}
