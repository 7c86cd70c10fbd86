using IronAspire.Contracts.Events;
using MassTransit;

namespace IronAspire.Analytics.Ingestion;

/// <summary>Stores PII counts per type (never values) in pii_detections.</summary>
public sealed class PiiDetectionsConsumer(EventWriter writer) : IConsumer<Batch<PiiDetected>>
{
    public Task Consume(ConsumeContext<Batch<PiiDetected>> context) =>
        writer.WritePiiAsync(context.Message.SelectMany(m => EventWriter.ToRecords(m.Message)).ToList(), context.CancellationToken);
}
