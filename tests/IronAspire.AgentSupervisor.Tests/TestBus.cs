using IronAspire.Hosting.Testing;
using MassTransit;

namespace IronAspire.AgentSupervisor.Tests;

/// <summary>A MassTransit bus on the shared RabbitMQ for the test to publish events as the other services do.</summary>
public sealed class TestBus : IAsyncDisposable
{
    private readonly IBusControl _bus;

    private TestBus(IBusControl bus) => _bus = bus;

    public IPublishEndpoint Publisher => _bus;

    public static async Task<TestBus> StartAsync()
    {
        var uri = new Uri(await BackingServers.RabbitMqAsync());
        var credentials = uri.UserInfo.Split(':', 2);
        var bus = Bus.Factory.CreateUsingRabbitMq(rabbit => rabbit.Host(uri.Host, (ushort)uri.Port, "/", host =>
        {
            host.Username(credentials[0]);
            host.Password(credentials[1]);
        }));
        await bus.StartAsync(TimeSpan.FromSeconds(30));
        return new TestBus(bus);
    }

    public Task PublishAsync<T>(T message) where T : class => _bus.Publish(message);

    public async ValueTask DisposeAsync() => await _bus.StopAsync(TimeSpan.FromSeconds(10));
}
