using IronAspire.Hosting.ApplicationModel;

namespace IronAspire.Hosting.Testing;

/// <summary>
/// Starts the application model in tests, as Aspire.Hosting.Testing does: the same declaration the AppHost runs,
/// with every project on a free port, state in a temporary folder, and the shared <see cref="BackingServers"/>
/// (started once per test run) in place of per-app servers.
/// </summary>
public static class DistributedApplicationTestingBuilder
{
    /// <param name="declare">The model declaration (the AppHost's <c>IronAspireModel.Declare</c>).</param>
    /// <param name="args">AppHost arguments or configuration (<c>--Key=Value</c>).</param>
    public static async Task<IDistributedApplicationBuilder> CreateAsync(Action<IDistributedApplicationBuilder> declare, params string[] args)
    {
        var state = Path.Combine(BackingServers.StatePath, "app-" + Guid.NewGuid().ToString("N")[..8]);
        var builder = DistributedApplication.CreateBuilder(args, new DistributedApplicationOptions
        {
            StatePath = state,
            RandomizePorts = true,
            EphemeralServers = true,
            LogToConsole = false,
            HealthTimeout = TimeSpan.FromSeconds(90),
            StopGracePeriod = TimeSpan.FromSeconds(5),
        });
        declare(builder);
        await UseSharedServersAsync(builder);
        return builder;
    }

    /// <summary>Points every backing server of the model at the shared test servers (only those it uses are started).</summary>
    private static async Task UseSharedServersAsync(IDistributedApplicationBuilder builder)
    {
        foreach (var resource in builder.Resources)
        {
            switch (resource)
            {
                case RedisResource redis when redis.ExternalConnectionString is null:
                    redis.ExternalConnectionString = await BackingServers.RedisAsync();
                    break;
                case RabbitMQServerResource rabbit when rabbit.ExternalConnectionString is null:
                    rabbit.ExternalConnectionString = await BackingServers.RabbitMqAsync();
                    break;
                case PostgresServerResource postgres when postgres.ExternalConnectionString is null:
                    postgres.ExternalConnectionString = await BackingServers.PostgresAsync();
                    break;
                case PostgresDatabaseResource database when database.ExternalConnectionString is null:
                    // A fresh database per app, so tests that start the model twice do not share data.
                    database.ExternalConnectionString = await BackingServers.PostgresDatabaseAsync($"{database.DatabaseName}_{Guid.NewGuid():N}"[..40]);
                    break;
            }
        }
    }
}
