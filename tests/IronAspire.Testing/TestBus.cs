using System.Collections.Concurrent;
using IronAspire.Contracts.Events;
using MassTransit;

namespace IronAspire.Testing;

/// <summary>
/// A MassTransit bus on the shared test RabbitMQ: it publishes events as the services do, and receives the ones a test
/// subscribes to on a queue of its own that goes away with the bus.
/// </summary>
public sealed class TestBus : IAsyncDisposable
{
    private readonly IBusControl _bus;

    private TestBus(IBusControl bus) => _bus = bus;

    public IPublishEndpoint Publisher => _bus;

    /// <param name="subscriptions">Handlers for the test's own queue, e.g. <see cref="Collect{T}"/>; none: publish only.</param>
    public static async Task<TestBus> StartAsync(params Action<IReceiveEndpointConfigurator>[] subscriptions)
    {
        var uri = new Uri(await BackingServers.RabbitMqAsync());
        var credentials = uri.UserInfo.Split(':', 2);
        var bus = Bus.Factory.CreateUsingRabbitMq(rabbit =>
        {
            rabbit.Host(uri.Host, (ushort)uri.Port, "/", host =>
            {
                host.Username(Uri.UnescapeDataString(credentials[0]));
                host.Password(Uri.UnescapeDataString(credentials[1]));
            });
            if (subscriptions.Length > 0)
            {
                rabbit.ReceiveEndpoint($"tests-{Guid.NewGuid():N}", endpoint =>
                {
                    endpoint.AutoDelete = true;
                    foreach (var subscribe in subscriptions)
                    {
                        subscribe(endpoint);
                    }
                });
            }
        });
        await bus.StartAsync(TimeSpan.FromSeconds(30));
        return new TestBus(bus);
    }

    /// <summary>A subscription that puts every <typeparamref name="T"/> the bus receives into <paramref name="received"/>.</summary>
    public static Action<IReceiveEndpointConfigurator> Collect<T>(ConcurrentQueue<T> received) where T : class =>
        endpoint => endpoint.Handler<T>(context =>
        {
            received.Enqueue(context.Message);
            return Task.CompletedTask;
        });

    /// <summary>The completed calls of every <see cref="CallEventBatch"/> the Router publishes.</summary>
    public static Action<IReceiveEndpointConfigurator> CollectCalls(ConcurrentQueue<LlmRequestCompleted> received) =>
        CollectCalls(call => call.Completed, received);

    /// <summary>The failed calls of every <see cref="CallEventBatch"/> the Router publishes.</summary>
    public static Action<IReceiveEndpointConfigurator> CollectCalls(ConcurrentQueue<LlmRequestFailed> received) =>
        CollectCalls(call => call.Failed, received);

    private static Action<IReceiveEndpointConfigurator> CollectCalls<T>(Func<CallEvents, T?> pick, ConcurrentQueue<T> received) where T : class =>
        endpoint => endpoint.Handler<CallEventBatch>(context =>
        {
            foreach (var call in context.Message.Calls)
            {
                if (pick(call) is { } picked)
                {
                    received.Enqueue(picked);
                }
            }

            return Task.CompletedTask;
        });

    public Task PublishAsync<T>(T message) where T : class => _bus.Publish(message);

    public async ValueTask DisposeAsync() => await _bus.StopAsync(TimeSpan.FromSeconds(10));
}
