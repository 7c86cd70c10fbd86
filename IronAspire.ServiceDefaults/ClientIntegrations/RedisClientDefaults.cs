using StackExchange.Redis;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// What every service adds to Aspire's Redis client (<c>builder.AddRedisClient("cache", configureOptions: RedisClientDefaults.Configure)</c>),
/// which already connects lazily and does not abort when Redis is down at start.
/// </summary>
public static class RedisClientDefaults
{
    public static void Configure(ConfigurationOptions options)
    {
        // Replies are completed on the .NET thread pool rather than on the client's own dedicated threads: one thread
        // hand-off (a futex wake and a context switch) less per command, which on two shared cores is most of its cost.
        options.SocketManager = SocketManager.ThreadPool;
        options.AbortOnConnectFail = false;
    }
}
