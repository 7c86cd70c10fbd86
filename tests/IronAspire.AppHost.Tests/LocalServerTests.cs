using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using IronAspire.AppHost;
using IronAspire.AppHost.Servers;
using IronAspire.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace IronAspire.AppHost.Tests;

/// <summary>The AppHost's own server resources: data that survives restarts, clear first-run errors, external servers.</summary>
public class LocalServerTests
{
    private static async Task<DistributedApplication> StartServersAsync(params string[] args)
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.IronAspire_AppHost>([$"--{AppHostSettings.ServersOnly}=true", .. args]);
        var app = await builder.BuildAsync();
        await app.StartAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await app.ResourceNotifications.WaitForResourceHealthyAsync("budgetdb", timeout.Token);
        return app;
    }

    [Fact]
    public async Task PostgreSQL_data_survives_a_restart_and_initdb_runs_only_on_the_first_start()
    {
        var state = Path.Combine(BackingServers.StatePath, "restart-" + Guid.NewGuid().ToString("N")[..8]);
        await using (var first = await StartServersAsync($"--{AppHostSettings.State}={state}"))
        {
            await using var connection = new NpgsqlConnection(await first.GetConnectionStringAsync("budgetdb"));
            await connection.OpenAsync();
            await new NpgsqlCommand("CREATE TABLE kept (v text); INSERT INTO kept VALUES ('across restarts')", connection).ExecuteNonQueryAsync();
        }

        var passwords = await File.ReadAllTextAsync(Path.Combine(state, "parameters.json"));
        await using (var second = await StartServersAsync($"--{AppHostSettings.State}={state}"))
        {
            await using var connection = new NpgsqlConnection(await second.GetConnectionStringAsync("budgetdb"));
            await connection.OpenAsync();
            Assert.Equal("across restarts", await new NpgsqlCommand("SELECT v FROM kept", connection).ExecuteScalarAsync());
        }

        var log = await File.ReadAllTextAsync(Path.Combine(state, "logs", "postgres.log"));
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(log, "initdb \\(first start\\)"));
        Assert.Equal(passwords, await File.ReadAllTextAsync(Path.Combine(state, "parameters.json")));
        Assert.Equal("600", Convert.ToString((int)File.GetUnixFileMode(Path.Combine(state, "parameters.json")), 8));
    }

    [Fact]
    public async Task A_missing_server_binary_is_one_line_naming_the_debian_package_and_the_install_script()
    {
        await using var appHost = AppHostProcess.Start(new Dictionary<string, string>(),
            "--state", Path.Combine(BackingServers.StatePath, "missing-" + Guid.NewGuid().ToString("N")[..8]), "--AppHost:ServerBinPath=/nonexistent");

        Assert.Equal(1, await appHost.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        var error = Assert.Single(appHost.Lines, l => l.Contains("cannot start", StringComparison.Ordinal));
        Assert.Contains("apt-get install -y redis-server", error);
        Assert.Contains("scripts/install-prerequisites.sh", error);
        Assert.DoesNotContain(appHost.Lines, l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_state_folder_the_servers_user_cannot_enter_is_reported_as_such()
    {
        if (Environment.UserName != "root")
        {
            // As another user the servers run as that user, who owns the state folder: no other user needs a way in.
            Assert.Null(ServerUser.For("postgres").Name);
            return;
        }

        var closed = Path.Combine(BackingServers.StatePath, "closed-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(closed);
        File.SetUnixFileMode(closed, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await using var appHost = AppHostProcess.Start(new Dictionary<string, string>(), "--state", Path.Combine(closed, "state"));

        Assert.Equal(1, await appHost.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        var error = Assert.Single(appHost.Lines, l => l.Contains("cannot start", StringComparison.Ordinal));
        Assert.Contains($"user cannot enter {closed}", error);
        Assert.Contains($"chmod o+x {closed}", error);
    }

    [Fact]
    public async Task A_connection_string_in_configuration_replaces_the_local_server()
    {
        var redis = await BackingServers.RedisAsync();
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.IronAspire_AppHost>(
            [$"--{AppHostSettings.ServersOnly}=true", $"--ConnectionStrings:cache={redis}"]);
        var model = builder.Resources;

        Assert.IsNotType<LocalRedisServerResource>(model.Single(r => r.Name == "cache"));
        Assert.IsType<LocalPostgresServerResource>(model.Single(r => r.Name == "postgres"));
        await using var app = await builder.BuildAsync();
        await app.StartAsync();
        Assert.Equal(redis, await app.GetConnectionStringAsync("cache"));
    }
}
