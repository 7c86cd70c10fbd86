using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The shape of Aspire's <c>AddNpgsqlDataSource</c> / <c>AddNpgsqlDbContext</c>: connection string from
/// <c>ConnectionStrings:{name}</c>, a health check named after the resource, Npgsql tracing (in ServiceDefaults).
/// </summary>
public static class NpgsqlClientExtensions
{
    public static IHostApplicationBuilder AddNpgsqlDataSource(this IHostApplicationBuilder builder, string connectionName)
    {
        var connectionString = RequireConnectionString(builder, connectionName);
        builder.Services.AddSingleton(_ => new NpgsqlDataSourceBuilder(connectionString).Build());
        builder.Services.AddHealthChecks().AddNpgSql(sp => sp.GetRequiredService<NpgsqlDataSource>(), name: connectionName);
        return builder;
    }

    public static IHostApplicationBuilder AddNpgsqlDbContext<TContext>(
        this IHostApplicationBuilder builder,
        string connectionName,
        Action<DbContextOptionsBuilder>? configure = null) where TContext : DbContext
    {
        var connectionString = RequireConnectionString(builder, connectionName);
        builder.Services.AddDbContextPool<TContext>(options =>
        {
            options.UseNpgsql(connectionString, npgsql => npgsql.EnableRetryOnFailure());
            configure?.Invoke(options);
        });
        builder.Services.AddHealthChecks().AddNpgSql(connectionString, name: connectionName);
        return builder;
    }

    private static string RequireConnectionString(IHostApplicationBuilder builder, string connectionName) =>
        builder.Configuration.GetConnectionString(connectionName)
        ?? throw new InvalidOperationException(
            $"PostgreSQL connection string 'ConnectionStrings:{connectionName}' is missing. Set ConnectionStrings__{connectionName}.");
}
