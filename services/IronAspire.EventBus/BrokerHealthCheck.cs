using MassTransit;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace IronAspire.EventBus;

/// <summary>
/// "messaging": unhealthy unless the bus and every receive endpoint are connected. MassTransit's own check reports a
/// lost connection as Degraded, which /health would still answer with 200.
/// </summary>
internal sealed class BrokerHealthCheck(IBusControl bus) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var health = bus.CheckHealth();
        return Task.FromResult(health.Status == BusHealthStatus.Healthy
            ? HealthCheckResult.Healthy(health.Description)
            : HealthCheckResult.Unhealthy($"RabbitMQ: {health.Description}"));
    }
}
