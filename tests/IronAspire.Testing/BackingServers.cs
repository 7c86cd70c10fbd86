using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using IronAspire.AppHost;
using IronAspire.AppHost.Lifecycle;
using IronAspire.AppHost.Servers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace IronAspire.Testing;

/// <summary>
/// Real Redis, PostgreSQL and RabbitMQ for the service tests: the AppHost's own server resources (its model with
/// <c>--AppHost:ServersOnly=true</c>) started once per test process with Aspire.Hosting.Testing, on ports DCP
/// allocates, with their data in a temporary folder; DCP stops them when the process ends, however it ends.
/// Connection strings are the ones the AppHost gives the services.
/// </summary>
public static class BackingServers
{
    private static readonly string Root = CreateRoot();
    private static readonly Lazy<Task<DistributedApplication>> Servers = new(StartAsync);

    static BackingServers()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => StopAsync().GetAwaiter().GetResult();
    }

    /// <summary>A folder of this test process (the servers' data is under it; tests may put their own state here).</summary>
    public static string StatePath => Root;

    /// <summary>"127.0.0.1:port,password=..."</summary>
    public static Task<string> RedisAsync() => ConnectionStringAsync(BackingServersModel.CacheName);

    /// <summary>The server's connection string, without a database.</summary>
    public static Task<string> PostgresAsync() => ConnectionStringAsync(BackingServersModel.PostgresName);

    /// <summary>Creates the database if needed; "Host=..;Port=..;Username=postgres;Password=..;Database=name".</summary>
    public static async Task<string> PostgresDatabaseAsync(string name)
    {
        var server = await PostgresAsync();
        await LocalServerExtensions.EnsureCreatedAsync(server, name);
        return $"{server};Database={name}";
    }

    /// <summary>"amqp://user:password@127.0.0.1:port"</summary>
    public static Task<string> RabbitMqAsync() => ConnectionStringAsync(BackingServersModel.MessagingName);

    /// <summary>Stops Redis (as an outage would); <see cref="StartRedisAsync"/> brings it back on the same port (DCP's proxy keeps it) with its data.</summary>
    public static Task StopRedisAsync() => CommandAsync(BackingServersModel.CacheName, KnownResourceCommands.StopCommand);

    public static Task StartRedisAsync() => CommandAsync(BackingServersModel.CacheName, KnownResourceCommands.StartCommand);

    public static Task StopRabbitMqAsync() => CommandAsync(BackingServersModel.MessagingName, KnownResourceCommands.StopCommand);

    public static Task StartRabbitMqAsync() => CommandAsync(BackingServersModel.MessagingName, KnownResourceCommands.StartCommand);

    /// <summary>
    /// Freezes Redis (SIGSTOP to the redis-server process): its connections (through DCP's proxy) stay open and
    /// nothing answers, as a stalled server does; <see cref="ResumeRedisAsync"/> thaws it (SIGCONT).
    /// </summary>
    public static async Task PauseRedisAsync() => await SignalAsync(await PidAsync(BackingServersModel.CacheName), "STOP");

    public static async Task ResumeRedisAsync() => await SignalAsync(await PidAsync(BackingServersModel.CacheName), "CONT");

    /// <summary>The pid of a server's process now (for tests that pause it with SIGSTOP, as a stalled server would be).</summary>
    public static async Task<int> PidAsync(string resourceName)
    {
        var app = await Servers.Value;
        var notifications = app.Services.GetRequiredService<ResourceNotificationService>();
        var resource = await notifications.WaitForResourceAsync(resourceName, e => ProcessTree.StartedPid(e.Snapshot) is not null);
        return ProcessTree.StartedPid(resource.Snapshot)!.Value;
    }

    private static async Task SignalAsync(int pid, string signal)
    {
        using var kill = System.Diagnostics.Process.Start("kill", ["-" + signal, pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -{signal} {pid} failed ({kill.ExitCode}).");
        }
    }

    private static async Task<string> ConnectionStringAsync(string name)
    {
        var app = await Servers.Value;
        return await app.GetConnectionStringAsync(name) ?? throw new InvalidOperationException($"{name} has no connection string.");
    }

    private static async Task CommandAsync(string name, string command)
    {
        var app = await Servers.Value;
        var resource = app.Services.GetRequiredService<DistributedApplicationModel>().Resources.Single(r => r.Name == name);
        var result = await app.ResourceCommands.ExecuteCommandAsync(resource, command);
        if (!result.Success)
        {
            throw new InvalidOperationException($"{command} on {name} failed: {result.Message}");
        }

        // Stop returns once the server has stopped; a started one is ready when it runs and its health check says so.
        // Not WaitForResourceHealthyAsync: right after the start command DCP may still report the old replica, being
        // deleted, as failed to start, and that wait gives up on the first such snapshot (seen once in CI).
        if (command == KnownResourceCommands.StartCommand)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            try
            {
                await app.ResourceNotifications.WaitForResourceAsync(name,
                    e => e.Snapshot.State?.Text == KnownResourceStates.Running && e.Snapshot.HealthStatus == HealthStatus.Healthy, timeout.Token);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                throw new TimeoutException($"{name} was not running and healthy 90 s after its start command.");
            }
        }
    }

    private static async Task<DistributedApplication> StartAsync()
    {
        // One more try on a fresh model if the first fails (a server losing a race for its port to another process):
        // a failure here would fail every test of the process.
        for (var attempt = 1; ; attempt++)
        {
            var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.IronAspire_AppHost>(
            [
                $"--{AppHostSettings.ServersOnly}=true",
                $"--{AppHostSettings.EphemeralServers}=true",
                $"--{AppHostSettings.State}={Path.Combine(Root, $"servers-{attempt}")}",
            ]);
            var app = await builder.BuildAsync();
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
                await app.StartAsync(timeout.Token);
                foreach (var name in new[] { BackingServersModel.CacheName, BackingServersModel.PostgresName, BackingServersModel.MessagingName })
                {
                    await app.ResourceNotifications.WaitForResourceHealthyAsync(name, timeout.Token);
                }

                return app;
            }
            catch (Exception) when (attempt < 2)
            {
                await app.DisposeAsync();
            }
        }
    }

    private static async Task StopAsync()
    {
        // First, as the test host may be killed while this runs: the epmd daemon the broker's VM started outlives
        // it, and the AppHost's own stop of it (on ApplicationStopped) does not run when the servers are disposed at
        // process exit. The broker is stopped by DCP either way; without epmd it only cannot be found by name.
        StopBrokerEpmd(mnesia => mnesia.StartsWith(Root + "/", StringComparison.Ordinal));
        if (Servers.IsValueCreated && Servers.Value.IsCompletedSuccessfully)
        {
            await Servers.Value.Result.DisposeAsync();
        }

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

    /// <summary>A fresh folder per test process ; folders
    /// left by test processes that no longer run are removed.</summary>
    private static string CreateRoot()
    {
        var parent = Path.GetTempPath();
        StopBrokerEpmd(OfEndedProcess);
        foreach (var stale in Directory.GetDirectories(parent, "ironaspire-tests-*"))
        {
            if (OfEndedProcess(stale))
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

        var root = Path.Combine(parent, $"ironaspire-tests-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        return root;
    }

    /// <summary>Whether <paramref name="path"/> is in the folder of a test process that no longer runs.</summary>
    private static bool OfEndedProcess(string path)
    {
        var testsFolder = Path.Combine(Path.GetTempPath(), "ironaspire-tests-");
        return path.StartsWith(testsFolder, StringComparison.Ordinal)
            && int.TryParse(path[testsFolder.Length..].Split('-')[0], out var pid)
            && !ProcessTree.IsRunning(pid);
    }

    /// <summary>
    /// Stops the epmd daemons of the brokers whose Mnesia folder <paramref name="owned"/> accepts (each daemon
    /// inherited the broker's environment, which names that folder).
    /// </summary>
    private static void StopBrokerEpmd(Func<string, bool> owned)
    {
        const string MnesiaBase = "RABBITMQ_MNESIA_BASE=";
        foreach (var process in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(process), out var pid))
            {
                continue;
            }

            try
            {
                if (File.ReadAllText(Path.Combine(process, "comm")).Trim() != "epmd")
                {
                    continue;
                }

                var mnesia = File.ReadAllText(Path.Combine(process, "environ")).Split('\0')
                    .FirstOrDefault(v => v.StartsWith(MnesiaBase, StringComparison.Ordinal))?[MnesiaBase.Length..];
                if (mnesia is not null && owned(mnesia))
                {
                    using var epmd = System.Diagnostics.Process.GetProcessById(pid);
                    epmd.Kill();
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException
                                           or System.ComponentModel.Win32Exception)
            {
                // Gone already, or not ours to read.
            }
        }
    }
}
