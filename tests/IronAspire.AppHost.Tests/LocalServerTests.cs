using IronAspire.Hosting;
using IronAspire.Hosting.ApplicationModel;
using IronAspire.Hosting.Servers;
using IronAspire.Hosting.Testing;
using Npgsql;

namespace IronAspire.AppHost.Tests;

public class LocalServerTests
{
    private static DistributedApplicationOptions Options(string state, string? binPath = null) => new()
    {
        StatePath = state,
        RandomizePorts = true,
        EphemeralServers = true,
        LogToConsole = false,
        ServerBinPath = binPath,
    };

    [Fact]
    public async Task PostgreSQL_data_survives_a_restart_and_initdb_runs_only_on_the_first_start()
    {
        var state = Path.Combine(BackingServers.StatePath, "pg-restart-" + Guid.NewGuid().ToString("N")[..8]);

        await using (var first = Build(state))
        {
            await first.StartAsync();
            await using var connection = new NpgsqlConnection(first.GetConnectionString("appdb"));
            await connection.OpenAsync();
            await new NpgsqlCommand("CREATE TABLE kept (v int); INSERT INTO kept VALUES (42);", connection).ExecuteNonQueryAsync();
            Assert.Contains(first.Log.Tail, line => line.Contains("initdb (first run)"));
        }

        await using var second = Build(state);
        await second.StartAsync();
        await using var again = new NpgsqlConnection(second.GetConnectionString("appdb"));
        await again.OpenAsync();

        Assert.Equal(42, await new NpgsqlCommand("SELECT v FROM kept", again).ExecuteScalarAsync());
        Assert.DoesNotContain(second.Log.Tail, line => line.Contains("initdb (first run)"));

        static DistributedApplication Build(string state)
        {
            var builder = DistributedApplication.CreateBuilder([], Options(state));
            builder.AddPostgres("pg").AddDatabase("appdb");
            return builder.Build();
        }
    }

    [Fact]
    public async Task A_missing_server_binary_names_the_debian_package_to_install()
    {
        var builder = DistributedApplication.CreateBuilder([], Options(Path.Combine(BackingServers.StatePath, "missing"), binPath: "/nonexistent"));
        builder.AddRedis("cache");
        await using var app = builder.Build();

        var error = await Assert.ThrowsAsync<MissingServerBinaryException>(() => app.StartAsync());

        Assert.Equal("redis-server", error.Package);
        Assert.Contains("apt-get install -y redis-server", error.Message);
    }

    [Fact]
    public async Task A_connection_string_in_configuration_replaces_the_local_server()
    {
        var redis = await BackingServers.RedisAsync();
        var builder = DistributedApplication.CreateBuilder(["--ConnectionStrings:cache=" + redis], Options(Path.Combine(BackingServers.StatePath, "external")));
        var cache = builder.AddRedis("cache");
        await using var app = builder.Build();

        await app.StartAsync();

        Assert.Equal(redis, app.GetConnectionString("cache"));
        Assert.Null(app.GetProcess("cache"));
        Assert.Equal("Running", app.GetSnapshot("cache").State);
    }
}
