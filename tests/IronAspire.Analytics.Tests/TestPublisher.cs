using IronAspire.EventBus;
using IronAspire.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace IronAspire.Analytics.Tests;

/// <summary>A service that only publishes (as the Router does), wired with AddEventBus over the real broker.</summary>
public sealed class TestPublisher : IAsyncDisposable
{
    private readonly IHost _host;

    private TestPublisher(IHost host) => _host = host;

    public IEventPublisher Events => _host.Services.GetRequiredService<IEventPublisher>();

    public IServiceProvider Services => _host.Services;

    public static async Task<TestPublisher> StartAsync(string? amqp = null, Dictionary<string, string?>? settings = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ApplicationName = "IronAspire.TestPublisher" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:messaging"] = amqp ?? await BackingServers.RabbitMqAsync(),
            ["EventBus:RetryMaxDelay"] = "00:00:01",
            ["EventBus:PublishTimeout"] = "00:00:02",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:IronAspire.EventBus"] = "Error",
            ["Logging:LogLevel:MassTransit"] = "Critical",
        });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        builder.AddEventBus();
        var host = builder.Build();
        await host.StartAsync();
        return new TestPublisher(host);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
