using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace IronAspire.EventBus;

/// <summary>Degraded while the publish buffer is more than half full: events are accumulating faster than the broker takes them.</summary>
internal sealed class EventBufferHealthCheck(IEventPublisher publisher, IOptions<EventBusOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var pending = publisher.Pending;
        var capacity = options.Value.BufferCapacity;
        var data = new Dictionary<string, object> { ["pending"] = pending, ["capacity"] = capacity };
        return Task.FromResult(pending * 2 > capacity
            ? HealthCheckResult.Degraded($"{pending} of {capacity} events waiting to be published", data: data)
            : HealthCheckResult.Healthy(data: data));
    }
}
