using System.Diagnostics.Metrics;

namespace IronAspire.EventBus;

/// <summary>The IronAspire.EventBus meter: what waits in the publish buffer and what happened to it.</summary>
public sealed class EventBusMetrics
{
    public const string MeterName = "IronAspire.EventBus";

    private readonly Counter<long> _published;
    private readonly Counter<long> _failedAttempts;
    private readonly Counter<long> _lost;
    private readonly Counter<long> _bufferFull;

    public EventBusMetrics(IMeterFactory meterFactory, Func<long> pending)
    {
        var meter = meterFactory.Create(MeterName);
        meter.CreateObservableGauge("ironaspire.eventbus.pending", pending, unit: "{event}",
            description: "Events accepted by the publisher and not yet confirmed by RabbitMQ.");
        _published = meter.CreateCounter<long>("ironaspire.eventbus.published", unit: "{event}",
            description: "Events confirmed by RabbitMQ.");
        _failedAttempts = meter.CreateCounter<long>("ironaspire.eventbus.publish_failures", unit: "{attempt}",
            description: "Publish attempts that failed or timed out (the event is retried).");
        _lost = meter.CreateCounter<long>("ironaspire.eventbus.lost", unit: "{event}",
            description: "Events still buffered when the shutdown flush timed out.");
        _bufferFull = meter.CreateCounter<long>("ironaspire.eventbus.buffer_full", unit: "{event}",
            description: "Publishes that had to wait because the buffer was full.");
    }

    public void Published(string eventType) => _published.Add(1, new KeyValuePair<string, object?>("event.type", eventType));

    public void PublishFailed(string eventType) => _failedAttempts.Add(1, new KeyValuePair<string, object?>("event.type", eventType));

    public void Lost(long count) => _lost.Add(count);

    public void BufferFull() => _bufferFull.Add(1);
}
