using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace IronAspire.AppHost.Servers;

/// <summary>
/// Adds Redis, PostgreSQL and RabbitMQ to the model as executables from Debian's packages (there is no container
/// daemon to run Aspire's own container resources here). Each has a health check, so <c>WaitFor</c> means ready, and its
/// data under the state folder. Its port is a free one taken when the model is built, not proxied: clients talk to the
/// server itself (no proxy hop on every Redis call), a stopped server refuses connections as a real outage does, and
/// it comes back on the same port.
/// </summary>
public static class LocalServerExtensions
{
    public static IResourceBuilder<LocalRedisServerResource> AddRedisServer(this IDistributedApplicationBuilder builder, string name, StateFolder state)
    {
        var program = ServerBinary.Find(state.ServerBinPath, "redis-server", "redis-server");
        var password = builder.AddParameter($"{name}-password", () => state.Secret($"{name}-password"), secret: true);
        var data = state.Folder(name);
        var redis = new LocalRedisServerResource(name, program, data, password.Resource);
        var config = Path.Combine(data, "redis.conf");

        builder.Services.AddHealthChecks().AddAsyncCheck($"{name}_check", ct => ServerHealthChecks.RedisAsync(redis, ct));
        return builder.AddResource(redis)
            .WithEndpoint(name: LocalRedisServerResource.EndpointName, scheme: "tcp", port: FreePort(), isProxied: false)
            .OnBeforeResourceStarted(async (resource, _, ct) =>
            {
                // The password goes in a file only this user reads, not on the command line (which every local user can see).
                await File.WriteAllTextAsync(config, $"requirepass {await resource.Password.GetValueAsync(ct)}\n", ct);
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(config, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                }
            })
            .WithArgs(context =>
            {
                context.Args.Add(config);
                context.Args.Add("--port");
                context.Args.Add(redis.PrimaryEndpoint.Property(EndpointProperty.Port));
                foreach (var arg in (string[])["--bind", "127.0.0.1", "--dir", data, "--appendonly", "yes",
                             "--appendfsync", state.Ephemeral ? "no" : "everysec", "--save", "", "--daemonize", "no", "--logfile", ""])
                {
                    context.Args.Add(arg);
                }
            })
            .WithHealthCheck($"{name}_check");
    }

    public static IResourceBuilder<LocalPostgresServerResource> AddPostgresServer(this IDistributedApplicationBuilder builder, string name, StateFolder state)
    {
        var initdb = ServerBinary.Find(state.ServerBinPath, "initdb", "postgresql", ServerBinary.PostgresCandidates("initdb"));
        var program = ServerBinary.Find(state.ServerBinPath, "postgres", "postgresql", ServerBinary.PostgresCandidates("postgres"));
        var user = ServerUser.For("postgres");
        var password = builder.AddParameter($"{name}-password", () => state.Secret($"{name}-password"), secret: true);
        var postgres = new LocalPostgresServerResource(name, user.Command(program), state.Folder(name), password.Resource);
        user.EnsureCanReach(postgres.DataPath);

        builder.Services.AddHealthChecks().AddAsyncCheck($"{name}_check", ct => ServerHealthChecks.PostgresAsync(postgres, ct));
        return builder.AddResource(postgres)
            .WithEndpoint(name: LocalPostgresServerResource.EndpointName, scheme: "tcp", port: FreePort(), isProxied: false)
            .OnBeforeResourceStarted(async (resource, e, ct) =>
            {
                Directory.CreateDirectory(resource.SocketPath);
                if (!File.Exists(Path.Combine(resource.PgData, "PG_VERSION")))
                {
                    await InitDbAsync(resource, initdb, user, state.Ephemeral, e.Services.GetRequiredService<ResourceLoggerService>().GetLogger(resource), ct);
                }
                else
                {
                    await user.TakeOwnershipAsync(resource.DataPath, ct);
                }
            })
            .WithArgs(context =>
            {
                foreach (var arg in user.Prefix(program))
                {
                    context.Args.Add(arg);
                }

                foreach (var arg in (string[])["-D", postgres.PgData, "-c", "listen_addresses=127.0.0.1",
                             "-c", $"unix_socket_directories={postgres.SocketPath}", "-c", "max_connections=300", "-p"])
                {
                    context.Args.Add(arg);
                }

                context.Args.Add(postgres.PrimaryEndpoint.Property(EndpointProperty.Port));
                if (state.Ephemeral)
                {
                    foreach (var arg in (string[])["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"])
                    {
                        context.Args.Add(arg);
                    }
                }
            })
            .WithHealthCheck($"{name}_check");
    }

    /// <summary>A database on a PostgreSQL server (local or given by connection string), created when missing.</summary>
    public static IResourceBuilder<LocalPostgresDatabaseResource> AddLocalDatabase<TServer>(this IResourceBuilder<TServer> server, string name, string? databaseName = null)
        where TServer : IResourceWithConnectionString
    {
        var database = new LocalPostgresDatabaseResource(name, databaseName ?? name, server.Resource);
        var builder = server.ApplicationBuilder;
        builder.Services.AddHealthChecks().AddAsyncCheck($"{name}_check", ct => ServerHealthChecks.PostgresAsync(database, ct));
        return builder.AddResource(database)
            .WithParentRelationship(server.Resource)
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "PostgresDatabase",
                State = KnownResourceStates.NotStarted,
                Properties = [new("postgres.database", database.DatabaseName)],
            })
            .OnInitializeResource(async (resource, e, ct) =>
            {
                await e.Notifications.PublishUpdateAsync(resource, s => s with { State = KnownResourceStates.Waiting });
                await e.Notifications.WaitForResourceHealthyAsync(resource.Server.Name, ct);
                var server = await resource.Server.ConnectionStringExpression.GetValueAsync(ct) ?? throw new InvalidOperationException($"{resource.Server.Name} has no connection string.");
                await EnsureCreatedAsync(server, resource.DatabaseName, ct);
                await e.Notifications.PublishUpdateAsync(resource, s => s with { State = KnownResourceStates.Running, StartTimeStamp = DateTime.UtcNow });
                await e.Eventing.PublishAsync(new ConnectionStringAvailableEvent(resource, e.Services), ct);
            })
            .WithHealthCheck($"{name}_check");
    }

    public static IResourceBuilder<LocalRabbitMQServerResource> AddRabbitMQServer(this IDistributedApplicationBuilder builder, string name, StateFolder state)
    {
        var program = ServerBinary.Find(state.ServerBinPath, "rabbitmq-server", "rabbitmq-server", "/usr/lib/rabbitmq/bin/rabbitmq-server");
        var user = ServerUser.For("rabbitmq");
        var password = builder.AddParameter($"{name}-password", () => state.Secret($"{name}-password"), secret: true);
        var data = state.Folder(name);
        var rabbit = new LocalRabbitMQServerResource(name, user.Command(program), data, password.Resource);
        user.EnsureCanReach(data);
        // Stable per data folder, so the node finds its Mnesia data again after a restart.
        var nodeName = "ironaspire-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(data)))[..10] + "@localhost";

        builder.Services.AddHealthChecks().AddAsyncCheck($"{name}_check", ct => ServerHealthChecks.RabbitMQAsync(rabbit, ct));
        var epmd = ServerBinary.Find(state.ServerBinPath, "epmd", "erlang-base", "/usr/bin/epmd");
        var epmdPort = FreePort();
        var pidFile = Path.Combine(data, "rabbitmq.pid");
        builder.Services.AddHostedService(sp => new PrivateEpmd(epmd, epmdPort, pidFile,
            sp.GetRequiredService<IHostApplicationLifetime>(), sp.GetRequiredService<ILogger<PrivateEpmd>>()));
        return builder.AddResource(rabbit)
            .WithEndpoint(name: LocalRabbitMQServerResource.EndpointName, scheme: "tcp", port: FreePort(), isProxied: false)
            .OnBeforeResourceStarted(async (resource, _, ct) =>
            {
                Directory.CreateDirectory(Path.Combine(data, "home"));
                Directory.CreateDirectory(Path.Combine(data, "mnesia"));
                await File.WriteAllTextAsync(Path.Combine(data, "enabled_plugins"), "[].", ct);
                var config = Path.Combine(data, "rabbitmq.conf");
                await File.WriteAllTextAsync(config, $"""
                    default_user = {LocalRabbitMQServerResource.UserName}
                    default_pass = {await resource.Password.GetValueAsync(ct)}
                    loopback_users = none
                    disk_free_limit.absolute = 50MB
                    """, ct);
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(config, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                }
                await user.TakeOwnershipAsync(data, ct);
            })
            .WithArgs(context =>
            {
                foreach (var arg in user.Prefix(program))
                {
                    context.Args.Add(arg);
                }
            })
            .WithEnvironment(context =>
            {
                var env = context.EnvironmentVariables;
                env["HOME"] = Path.Combine(data, "home");
                // The start script then execs the Erlang VM instead of waiting on it as a child: DCP's pid is the
                // broker's, and SIGTERM reaches the VM, which shuts down cleanly (no shell in between).
                env["RUNNING_UNDER_SYSTEMD"] = "true";
                env["RABBITMQ_NODENAME"] = nodeName;
                env["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1";
                env["RABBITMQ_NODE_PORT"] = rabbit.PrimaryEndpoint.Property(EndpointProperty.Port);
                env["RABBITMQ_DIST_PORT"] = FreePort().ToString(CultureInfo.InvariantCulture);
                env["RABBITMQ_MNESIA_BASE"] = Path.Combine(data, "mnesia");
                env["RABBITMQ_MNESIA_DIR"] = Path.Combine(data, "mnesia", "node");
                env["RABBITMQ_LOG_BASE"] = data;
                env["RABBITMQ_LOGS"] = "-";
                env["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(data, "enabled_plugins");
                env["RABBITMQ_CONFIG_FILE"] = Path.Combine(data, "rabbitmq.conf");
                env["RABBITMQ_ADVANCED_CONFIG_FILE"] = Path.Combine(data, "advanced.config");
                env["RABBITMQ_PID_FILE"] = pidFile;
                // Its own epmd (started by the VM), stopped with the AppHost (PrivateEpmd), not the machine's.
                env["ERL_EPMD_PORT"] = epmdPort.ToString(CultureInfo.InvariantCulture);
            })
            .WithHealthCheck($"{name}_check");
    }

    private static async Task InitDbAsync(LocalPostgresServerResource postgres, string initdb, ServerUser user, bool ephemeral, ILogger log, CancellationToken cancellationToken)
    {
        log.LogInformation("initdb (first start) in {PgData}", postgres.PgData);
        Directory.CreateDirectory(postgres.PgData);
        var passwordFile = Path.Combine(postgres.DataPath, "pwfile");
        await File.WriteAllTextAsync(passwordFile, await postgres.Password.GetValueAsync(cancellationToken), cancellationToken);
        await user.TakeOwnershipAsync(postgres.DataPath, cancellationToken);
        List<string> args = [.. user.Prefix(initdb), "-D", postgres.PgData, "-U", LocalPostgresServerResource.UserName,
            "--auth=scram-sha-256", $"--pwfile={passwordFile}", "-E", "UTF8", "--locale=C"];
        if (ephemeral)
        {
            args.Add("--no-sync");
        }

        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(user.Command(initdb), args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = postgres.DataPath,
        })!;
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = await process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        File.Delete(passwordFile);
        if (process.ExitCode != 0)
        {
            Directory.Delete(postgres.PgData, recursive: true);
            throw new InvalidOperationException($"initdb for {postgres.Name} failed with exit code {process.ExitCode}: {error.Trim()} {(await output).Trim()}");
        }
    }

    /// <summary>Creates <paramref name="name"/> unless it exists (PostgreSQL has no CREATE DATABASE IF NOT EXISTS).</summary>
    public static async Task EnsureCreatedAsync(string serverConnectionString, string name, CancellationToken cancellationToken = default)
    {
        var builder = new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection) { Parameters = { new() { Value = name } } };
        if (await exists.ExecuteScalarAsync(cancellationToken) is not null)
        {
            return;
        }

        try
        {
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.DuplicateDatabase)
        {
            // Created concurrently: fine.
        }
    }

    /// <summary>
    /// A free loopback port for a server (and RabbitMQ's Erlang distribution port), taken below the kernel's
    /// ephemeral range: a port the kernel handed out for <c>bind(0)</c> is handed out again to outgoing connections, and
    /// one did take a released port before PostgreSQL bound it (several test processes starting at once). Below the
    /// range only another explicit listener can take it.
    /// </summary>
    private static int FreePort()
    {
        var low = 32768;
        if (File.Exists("/proc/sys/net/ipv4/ip_local_port_range")
            && int.TryParse(File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split('\t', ' ')[0], out var ephemeralLow))
        {
            low = ephemeralLow;
        }

        var first = Math.Max(1024, low - 12000);
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var port = Random.Shared.Next(first, low);
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // Taken: try another.
            }
        }

        throw new InvalidOperationException($"No free loopback port between {first} and {low}.");
    }
}
