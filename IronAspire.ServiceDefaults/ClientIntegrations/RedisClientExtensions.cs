using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The shape of Aspire's <c>AddRedisClient</c>: the connection string comes from <c>ConnectionStrings:{name}</c>,
/// the multiplexer is a singleton that connects lazily and does not abort when Redis is down at start
/// (the service starts and reports unhealthy instead of crashing), and a health check named after the resource.
/// </summary>
public static class RedisClientExtensions
{
    public static IHostApplicationBuilder AddRedisClient(this IHostApplicationBuilder builder, string connectionName)
    {
        var connectionString = builder.Configuration.GetConnectionString(connectionName)
            ?? throw new InvalidOperationException(
                $"Redis connection string 'ConnectionStrings:{connectionName}' is missing. Set ConnectionStrings__{connectionName}.");

        var options = ConfigurationOptions.Parse(connectionString);
        options.AbortOnConnectFail = false;
        options.ConnectTimeout = Math.Min(options.ConnectTimeout, 5000);
        // Replies are completed on the .NET thread pool rather than on the client's own dedicated threads: one thread
        // hand-off (a futex wake and a context switch) less per command, which on two shared cores is most of its cost.
        options.SocketManager = SocketManager.ThreadPool;

        builder.Services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(options));
        builder.Services.AddHealthChecks().AddRedis(sp => sp.GetRequiredService<IConnectionMultiplexer>(), name: connectionName);
        return builder;
    }
}
