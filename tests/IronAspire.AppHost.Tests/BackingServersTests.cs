using IronAspire.Testing;
using Npgsql;
using RabbitMQ.Client;
using StackExchange.Redis;

namespace IronAspire.AppHost.Tests;

/// <summary>The shared test servers answer the real clients the services use, and survive a stop and start.</summary>
[Collection(BackingServerOutages.Name)]
public class BackingServersTests
{
    [Fact]
    public async Task Redis_answers_StackExchange_Redis()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(await BackingServers.RedisAsync());

        var latency = await redis.GetDatabase().PingAsync();

        Assert.True(latency < TimeSpan.FromSeconds(5));
        Assert.StartsWith("127.0.0.1:", await BackingServers.RedisAsync());
    }

    [Fact]
    public async Task PostgreSQL_creates_the_database_on_demand_and_answers_Npgsql()
    {
        var name = "fixture_" + Guid.NewGuid().ToString("N")[..10];
        var connectionString = await BackingServers.PostgresDatabaseAsync(name);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();

        Assert.Equal(name, await new NpgsqlCommand("SELECT current_database()", connection).ExecuteScalarAsync());
        Assert.Equal(connectionString, await BackingServers.PostgresDatabaseAsync(name));
        Assert.Contains("Username=postgres;Password=", connectionString);
    }

    [Fact]
    public async Task RabbitMQ_routes_a_message_for_RabbitMQ_Client()
    {
        var uri = new Uri(await BackingServers.RabbitMqAsync());
        await using var connection = await new ConnectionFactory { Uri = uri }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var queue = (await channel.QueueDeclareAsync(exclusive: true)).QueueName;

        await channel.BasicPublishAsync("", queue, "hello"u8.ToArray());
        BasicGetResult? received = null;
        for (var i = 0; i < 50 && received is null; i++)
        {
            received = await channel.BasicGetAsync(queue, autoAck: true);
            await Task.Delay(received is null ? 20 : 0);
        }

        Assert.Equal("amqp", uri.Scheme);
        Assert.Equal("hello", System.Text.Encoding.UTF8.GetString(received!.Body.Span));
    }

    [Fact]
    public async Task Redis_comes_back_on_the_same_port_with_its_data_after_an_outage()
    {
        var connectionString = await BackingServers.RedisAsync();
        var key = "outage-" + Guid.NewGuid().ToString("N");
        await using (var before = await ConnectionMultiplexer.ConnectAsync(connectionString))
        {
            await before.GetDatabase().StringSetAsync(key, "kept");
        }

        await BackingServers.StopRedisAsync();
        await Assert.ThrowsAsync<RedisConnectionException>(() => ConnectionMultiplexer.ConnectAsync(connectionString + ",connectTimeout=500,connectRetry=0"));
        await BackingServers.StartRedisAsync();

        Assert.Equal(connectionString, await BackingServers.RedisAsync());
        await using var after = await ConnectionMultiplexer.ConnectAsync(connectionString);
        Assert.Equal("kept", (string?)await after.GetDatabase().StringGetAsync(key));
    }

    [Fact]
    public async Task RabbitMQ_comes_back_on_the_same_port_with_its_durable_queues_after_an_outage()
    {
        var uri = new Uri(await BackingServers.RabbitMqAsync());
        var queue = "outage-" + Guid.NewGuid().ToString("N");
        await using (var connection = await new ConnectionFactory { Uri = uri }.CreateConnectionAsync())
        await using (var channel = await connection.CreateChannelAsync())
        {
            await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
            await channel.BasicPublishAsync("", queue, mandatory: false, new BasicProperties { Persistent = true }, "kept"u8.ToArray());
        }

        await BackingServers.StopRabbitMqAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => new ConnectionFactory { Uri = uri, RequestedConnectionTimeout = TimeSpan.FromSeconds(1) }.CreateConnectionAsync());
        await BackingServers.StartRabbitMqAsync();

        Assert.Equal(uri.ToString(), new Uri(await BackingServers.RabbitMqAsync()).ToString());
        await using var again = await new ConnectionFactory { Uri = uri }.CreateConnectionAsync();
        await using var replay = await again.CreateChannelAsync();
        var message = await replay.BasicGetAsync(queue, autoAck: true);
        Assert.Equal("kept", System.Text.Encoding.UTF8.GetString(message!.Body.Span));
    }
}

/// <summary>Tests that stop a shared server run alone, so no other test sees the outage.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BackingServerOutages
{
    public const string Name = "Backing server outages";
}
