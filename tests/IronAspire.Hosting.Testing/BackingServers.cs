using IronAspire.Hosting.ApplicationModel;
using IronAspire.Hosting.Orchestration;
using IronAspire.Hosting.Servers;

namespace IronAspire.Hosting.Testing;

/// <summary>
/// Real Redis, PostgreSQL and RabbitMQ for tests: each started on first use, once per test process, on a free
/// loopback port with its data in a temporary folder, and stopped when the process ends (a watchdog stops them
/// even when the test host is killed). Connection strings are in Aspire's formats.
/// </summary>
public static class BackingServers
{
    private static readonly string Root = CreateRoot();
    private static readonly ResourceLog Log = new(Path.Combine(Root, "logs"), toConsole: false);
    private static readonly Lazy<Task<RedisServer>> Redis = new(() => StartAsync<RedisServer>(new RedisResource("cache"), (r, path) => new RedisServer((RedisResource)r, path, Log, ephemeral: true)));
    private static readonly Lazy<Task<PostgresServer>> Postgres = new(() => StartAsync<PostgresServer>(new PostgresServerResource("postgres"), (r, path) => new PostgresServer((PostgresServerResource)r, path, Log, ephemeral: true)));
    private static readonly Lazy<Task<RabbitMQServer>> RabbitMq = new(() => StartAsync<RabbitMQServer>(new RabbitMQServerResource("messaging"), (r, path) => new RabbitMQServer((RabbitMQServerResource)r, path, Log, ephemeral: true)));

    static BackingServers()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => StopAllAsync().GetAwaiter().GetResult();
    }

    /// <summary>The folder with the servers' data and logs (logs/cache.log, logs/postgres.log, logs/messaging.log).</summary>
    public static string StatePath => Root;

    /// <summary>"127.0.0.1:port,password=..."</summary>
    public static async Task<string> RedisAsync() => (await Redis.Value).Resource.ConnectionString!;

    /// <summary>The server's connection string, without a database.</summary>
    public static async Task<string> PostgresAsync() => (await Postgres.Value).Resource.ConnectionString!;

    /// <summary>Creates the database if needed; "Host=..;Port=..;Username=postgres;Password=..;Database=name".</summary>
    public static async Task<string> PostgresDatabaseAsync(string name)
    {
        var server = await Postgres.Value;
        await server.CreateDatabaseAsync(name);
        return $"{server.Resource.ConnectionString};Database={name}";
    }

    /// <summary>"amqp://guest:...@127.0.0.1:port"</summary>
    public static async Task<string> RabbitMqAsync() => (await RabbitMq.Value).Resource.ConnectionString!;

    /// <summary>Stops Redis (as an outage would); <see cref="StartRedisAsync"/> brings it back on the same port with the same data.</summary>
    public static async Task StopRedisAsync() => await (await Redis.Value).StopAsync();

    public static async Task StartRedisAsync()
    {
        var server = await Redis.Value;
        await server.StartAsync(server.Resource.Port);
    }

    /// <summary>
    /// Freezes Redis (SIGSTOP to its process group): its connections stay open and nothing answers, as a stalled server
    /// does; <see cref="ResumeRedisAsync"/> thaws it (SIGCONT).
    /// </summary>
    public static async Task PauseRedisAsync() => await SignalGroupAsync((await Redis.Value).Process!.Pid, "STOP");

    public static async Task ResumeRedisAsync() => await SignalGroupAsync((await Redis.Value).Process!.Pid, "CONT");

    private static async Task SignalGroupAsync(int pid, string signal)
    {
        // The server runs in a session of its own (setsid), so its process group id is the managed process's pid.
        using var kill = System.Diagnostics.Process.Start("kill", ["-" + signal, "--", "-" + pid]);
        await kill.WaitForExitAsync();
    }

    public static async Task StopRabbitMqAsync() => await (await RabbitMq.Value).StopAsync();

    public static async Task StartRabbitMqAsync()
    {
        var server = await RabbitMq.Value;
        await server.StartAsync(server.Resource.Port);
    }

    private static async Task<T> StartAsync<T>(ServerResource resource, Func<ServerResource, string, T> create) where T : LocalServer
    {
        resource.Password = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12));
        var server = create(resource, Path.Combine(Root, resource.Name));
        await server.StartAsync();
        return server;
    }

    private static async Task StopAllAsync()
    {
        var running = new List<Task>();
        if (Redis.IsValueCreated && Redis.Value.IsCompletedSuccessfully)
        {
            running.Add(Redis.Value.Result.StopAsync());
        }

        if (Postgres.IsValueCreated && Postgres.Value.IsCompletedSuccessfully)
        {
            running.Add(Postgres.Value.Result.StopAsync());
        }

        if (RabbitMq.IsValueCreated && RabbitMq.Value.IsCompletedSuccessfully)
        {
            running.Add(RabbitMq.Value.Result.StopAsync());
        }

        await Task.WhenAll(running);
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>A fresh folder per test process; folders left by test processes that no longer run are removed.</summary>
    private static string CreateRoot()
    {
        var tmp = Path.GetTempPath();
        foreach (var stale in Directory.GetDirectories(tmp, "ironaspire-tests-*"))
        {
            var pidText = Path.GetFileName(stale).Split('-')[2];
            if (int.TryParse(pidText, out var pid) && !Directory.Exists($"/proc/{pid}"))
            {
                try
                {
                    Directory.Delete(stale, recursive: true);
                }
                catch (IOException)
                {
                }
                catch (UnauthorizedAccessException)
                {
                }
            }
        }

        var root = Path.Combine(tmp, $"ironaspire-tests-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        return root;
    }
}
