using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;

namespace IronAspire.AppHost.Servers;

/// <summary>The model's backing servers, as the services reference them.</summary>
public sealed record BackingServersModel(
    IResourceBuilder<IResourceWithConnectionString> Cache,
    IResourceBuilder<IResourceWithConnectionString> BudgetDb,
    IResourceBuilder<IResourceWithConnectionString> AnalyticsDb,
    IResourceBuilder<IResourceWithConnectionString> SupervisorDb,
    IResourceBuilder<IResourceWithConnectionString> Messaging)
{
    public const string CacheName = "cache";
    public const string PostgresName = "postgres";
    public const string MessagingName = "messaging";
    public static readonly string[] DatabaseNames = ["budgetdb", "analyticsdb", "supervisordb"];

    /// <summary>
    /// Publish mode: Aspire's stock container resources (the manifest then describes images, volumes and generated
    /// passwords a deployment tool understands). Run mode: Debian's servers as executables, or, for any server whose
    /// connection string is in configuration (<c>ConnectionStrings__cache=...</c>), that server instead.
    /// </summary>
    public static BackingServersModel Add(IDistributedApplicationBuilder builder, StateFolder? state)
    {
        if (builder.ExecutionContext.IsPublishMode || state is null)
        {
            var redis = builder.AddRedis(CacheName).WithDataVolume();
            var pg = builder.AddPostgres(PostgresName).WithDataVolume();
            var rabbit = builder.AddRabbitMQ(MessagingName).WithDataVolume();
            return new(redis, pg.AddDatabase(DatabaseNames[0]), pg.AddDatabase(DatabaseNames[1]), pg.AddDatabase(DatabaseNames[2]), rabbit);
        }

        var configuration = builder.Configuration;
        bool Given(string name) => !string.IsNullOrEmpty(configuration.GetConnectionString(name));

        IResourceBuilder<IResourceWithConnectionString> cache = Given(CacheName)
            ? builder.AddConnectionString(CacheName)
            : builder.AddRedisServer(CacheName, state);
        IResourceBuilder<IResourceWithConnectionString> messaging = Given(MessagingName)
            ? builder.AddConnectionString(MessagingName)
            : builder.AddRabbitMQServer(MessagingName, state);

        IResourceBuilder<IResourceWithConnectionString>? postgres = null;
        IResourceBuilder<IResourceWithConnectionString> Database(string name)
        {
            if (Given(name))
            {
                return builder.AddConnectionString(name);
            }

            postgres ??= Given(PostgresName) ? builder.AddConnectionString(PostgresName) : builder.AddPostgresServer(PostgresName, state);
            return postgres.AddLocalDatabase(name);
        }

        return new(cache, Database(DatabaseNames[0]), Database(DatabaseNames[1]), Database(DatabaseNames[2]), messaging);
    }
}
