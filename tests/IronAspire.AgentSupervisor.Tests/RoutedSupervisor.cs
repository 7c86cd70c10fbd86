using IronAspire.Contracts.Budget;
using StackExchange.Redis;

namespace IronAspire.AgentSupervisor.Tests;

/// <summary>
/// A Supervisor whose agents call the <see cref="FakeRouter"/>, with the real Budget service beside it and the shared
/// RabbitMQ (a test bus to publish on), Redis and PostgreSQL.
/// </summary>
public sealed class RoutedSupervisor : IAsyncDisposable
{
    private RoutedSupervisor(SupervisorFactory supervisor, FakeRouter router, TestBus bus, IConnectionMultiplexer redis) =>
        (Supervisor, Router, Bus, Redis) = (supervisor, router, bus, redis);

    public SupervisorFactory Supervisor { get; }
    public FakeRouter Router { get; }
    public TestBus Bus { get; }
    public IConnectionMultiplexer Redis { get; }

    public static async Task<RoutedSupervisor> StartAsync()
    {
        var bus = await TestBus.StartAsync();
        var budget = await BudgetServiceHost.StartAsync();
        var redis = await ConnectionMultiplexer.ConnectAsync(await IronAspire.Testing.BackingServers.RedisAsync());
        var router = await FakeRouter.StartAsync(redis, new BudgetClient(budget.CreateClient()), bus);
        return new RoutedSupervisor(await SupervisorFactory.StartAsync(router.BaseUrl, null, null, null, budget), router, bus, redis);
    }

    public async ValueTask DisposeAsync()
    {
        await Supervisor.DisposeAsync();
        await Router.DisposeAsync();
        await Bus.DisposeAsync();
        await Redis.DisposeAsync();
    }
}
