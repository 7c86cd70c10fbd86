using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Storage;
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
            await strategy.ExecuteAsync(async () =>
            {
                await CreateHistoryTableAsync(context, cancellationToken);
                await context.Database.MigrateAsync(cancellationToken);
            });
            logger.LogInformation("Database for {DbContext} is migrated", typeof(TContext).Name);
        }

        /// <summary>
        /// Npgsql learns that a new database has no migration history by selecting from the table and catching the
        /// error, which EF logs as a failed command on every first start (npgsql/efcore.pg#3407). Creating the table
        /// first (the provider's own IF NOT EXISTS script) keeps that false error out of the log.
        /// </summary>
        private static async Task CreateHistoryTableAsync(TContext context, CancellationToken cancellationToken)
        {
            var database = context.GetService<IRelationalDatabaseCreator>();
            if (!await database.ExistsAsync(cancellationToken))
            {
                await database.CreateAsync(cancellationToken);
            }

            await context.Database.ExecuteSqlRawAsync(context.GetService<IHistoryRepository>().GetCreateIfNotExistsScript(), cancellationToken);
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
