using IronAspire.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IronAspire.Analytics.Tests;

/// <summary>
/// The Analytics service over the shared real PostgreSQL and RabbitMQ. Each test gets its own database and its own
/// queue prefix, so hosts of different tests never consume each other's messages; a restarted host reuses both.
/// </summary>
public sealed class AnalyticsServiceFactory(string name, string postgres, string rabbit, TimeProvider? time = null, string? rabbitOverride = null)
    : WebApplicationFactory<Program>
{
    public const string AdminKey = "analytics-tests-admin-key";

    public string Name { get; } = name;

    public static async Task<AnalyticsServiceFactory> CreateAsync(string name, TimeProvider? time = null)
    {
        var postgres = await BackingServers.PostgresDatabaseAsync(name);
        var rabbit = await BackingServers.RabbitMqAsync();
        return new AnalyticsServiceFactory(name, postgres, rabbit, time);
    }

    /// <summary>A new host over the same database and queues (a restarted service).</summary>
    public AnalyticsServiceFactory Restart() => new(Name, postgres, rabbit, time, rabbitOverride);

    /// <summary>The same service pointed at a broker that is not there.</summary>
    public AnalyticsServiceFactory WithBroker(string amqp) => new(Name, postgres, rabbit, time, amqp);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("ConnectionStrings:analyticsdb", postgres);
        builder.UseSetting("ConnectionStrings:messaging", rabbitOverride ?? rabbit);
        builder.UseSetting("EventBus:QueuePrefix", Name);
        builder.UseSetting("IRONASPIRE_ADMIN_KEY", AdminKey);
        builder.UseSetting("Analytics:BatchTimeLimit", "00:00:00.050");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.UseSetting("Logging:LogLevel:MassTransit", "Error");
        builder.UseSetting("Logging:LogLevel:Microsoft.EntityFrameworkCore", "Critical");
        if (time is not null)
        {
            builder.ConfigureServices(services => services.Replace(ServiceDescriptor.Singleton(time)));
        }
    }

    /// <summary>Clients call as the operator does: with the admin key.</summary>
    protected override void ConfigureClient(HttpClient client)
    {
        base.ConfigureClient(client);
        client.DefaultRequestHeaders.Authorization = new("Bearer", AdminKey);
    }

    /// <summary>Starts the host (migrations run); the bus connects in the background.</summary>
    public AnalyticsServiceFactory Started()
    {
        _ = Services;
        return this;
    }

    /// <summary>
    /// Starts the host and waits until the bus is connected and the consumers' queues are declared and bound: an event
    /// published to an exchange before any queue is bound to it is dropped by RabbitMQ.
    /// </summary>
    public async Task<AnalyticsServiceFactory> StartedAsync()
    {
        var bus = Started().Services.GetRequiredService<MassTransit.IBusControl>();
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (bus.CheckHealth().Status != MassTransit.BusHealthStatus.Healthy && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        return this;
    }
}
