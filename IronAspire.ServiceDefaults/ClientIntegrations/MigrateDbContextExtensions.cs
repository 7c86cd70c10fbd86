using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Applies EF Core migrations when the service starts, before it takes traffic (eShop's AddMigration).
/// Runs inside StartAsync so /health cannot report ready on an unmigrated database.
/// </summary>
public static class MigrateDbContextExtensions
{
    private static readonly ActivitySource ActivitySource = new(Extensions.TelemetryPrefix + "Migrations");

    public static IServiceCollection AddMigration<TContext>(this IServiceCollection services) where TContext : DbContext =>
        services.AddHostedService<MigrationHostedService<TContext>>();

    private sealed class MigrationHostedService<TContext>(IServiceProvider services, ILogger<MigrationHostedService<TContext>> logger)
        : IHostedService where TContext : DbContext
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            using var activity = ActivitySource.StartActivity($"Migrate {typeof(TContext).Name}");
            await using var scope = services.CreateAsyncScope();
            var context = scope.ServiceProvider.GetRequiredService<TContext>();
            var strategy = context.Database.CreateExecutionStrategy();
            await strategy.ExecuteAsync(() => context.Database.MigrateAsync(cancellationToken));
            logger.LogInformation("Database for {DbContext} is migrated", typeof(TContext).Name);
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
