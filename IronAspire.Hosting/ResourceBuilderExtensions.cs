using IronAspire.Hosting.ApplicationModel;

namespace IronAspire.Hosting;

/// <summary>Aspire's Add*/With* vocabulary for the IronAspire model.</summary>
public static class ResourceBuilderExtensions
{
    public static IResourceBuilder<RedisResource> AddRedis(this IDistributedApplicationBuilder builder, string name) =>
        builder.AddResource(new RedisResource(name) { ExternalConnectionString = builder.Configuration.GetConnectionStringOrNull(name) });

    public static IResourceBuilder<PostgresServerResource> AddPostgres(this IDistributedApplicationBuilder builder, string name) =>
        builder.AddResource(new PostgresServerResource(name) { ExternalConnectionString = builder.Configuration.GetConnectionStringOrNull(name) });

    public static IResourceBuilder<PostgresDatabaseResource> AddDatabase(this IResourceBuilder<PostgresServerResource> server, string name, string? databaseName = null)
    {
        var database = server.Resource.AddDatabase(name, databaseName ?? name);
        database.ExternalConnectionString = server.ApplicationBuilder.Configuration.GetConnectionStringOrNull(name);
        return server.ApplicationBuilder.AddResource(database);
    }

    public static IResourceBuilder<RabbitMQServerResource> AddRabbitMQ(this IDistributedApplicationBuilder builder, string name) =>
        builder.AddResource(new RabbitMQServerResource(name) { ExternalConnectionString = builder.Configuration.GetConnectionStringOrNull(name) });

    public static IResourceBuilder<ProjectResource> AddProject<TProject>(this IDistributedApplicationBuilder builder, string name)
        where TProject : IProjectMetadata, new() =>
        builder.AddResource(new ProjectResource(name, new TProject()));

    /// <summary>Injects <c>ConnectionStrings__{name}</c> (Aspire's WithReference for connection-string resources).</summary>
    public static IResourceBuilder<ProjectResource> WithReference(this IResourceBuilder<ProjectResource> project, IResourceBuilder<IResourceWithConnectionString> source)
    {
        project.Resource.ConnectionReferences.Add(source.Resource);
        return project;
    }

    /// <summary>Injects <c>services__{name}__http__0</c> so the project reaches the other by its logical name.</summary>
    public static IResourceBuilder<ProjectResource> WithReference(this IResourceBuilder<ProjectResource> project, IResourceBuilder<ProjectResource> service)
    {
        project.Resource.ServiceReferences.Add(service.Resource);
        return project;
    }

    /// <summary>Starts the project only once <paramref name="dependency"/> is healthy.</summary>
    public static IResourceBuilder<ProjectResource> WaitFor<T>(this IResourceBuilder<ProjectResource> project, IResourceBuilder<T> dependency)
        where T : IResourceWithHealth
    {
        project.Resource.WaitsFor.Add(dependency.Resource);
        return project;
    }

    public static IResourceBuilder<ProjectResource> WithHttpEndpoint(this IResourceBuilder<ProjectResource> project, int? port = null)
    {
        project.Resource.FixedPort = port is > 0 ? port : null;
        return project;
    }

    public static IResourceBuilder<ProjectResource> WithEnvironment(this IResourceBuilder<ProjectResource> project, string name, string? value)
    {
        project.Resource.Environment.Add((name, () => value));
        return project;
    }

    public static IResourceBuilder<ProjectResource> WithEnvironment(this IResourceBuilder<ProjectResource> project, string name, Func<string?> value)
    {
        project.Resource.Environment.Add((name, value));
        return project;
    }

    /// <summary>Restarts the project after an unexpected exit, with exponential backoff, up to <paramref name="maxRestarts"/> times.</summary>
    public static IResourceBuilder<ProjectResource> WithRestart(this IResourceBuilder<ProjectResource> project, int maxRestarts = 5)
    {
        project.Resource.MaxRestarts = maxRestarts;
        return project;
    }

    private static string? GetConnectionStringOrNull(this Microsoft.Extensions.Configuration.IConfiguration configuration, string name) =>
        configuration[$"ConnectionStrings:{name}"] is { Length: > 0 } value ? value : null;
}

/// <summary>Parameters: values and secrets from outside the model.</summary>
public static class ParameterExtensions
{
    /// <summary>
    /// A parameter read from configuration <c>Parameters:{name}</c>, else from <paramref name="environmentVariable"/>,
    /// else (secrets only) generated once and kept in the state folder's parameters.json.
    /// </summary>
    public static IResourceBuilder<ParameterResource> AddParameter(this IDistributedApplicationBuilder builder, string name, bool secret = false, string? environmentVariable = null)
    {
        var configuration = builder.Configuration;
        var secrets = new Orchestration.Secrets(builder.Options.StatePath);
        return builder.AddResource(new ParameterResource(name, secret, () =>
            configuration[$"Parameters:{name}"] is { Length: > 0 } configured ? configured
            : environmentVariable is not null && configuration[environmentVariable] is { Length: > 0 } fromEnvironment ? fromEnvironment
            : secret ? secrets.GetOrCreate(name)
            : throw new InvalidOperationException($"Parameter '{name}' has no value: set Parameters__{name}.")));
    }

    public static IResourceBuilder<ProjectResource> WithEnvironment(this IResourceBuilder<ProjectResource> project, string name, IResourceBuilder<ParameterResource> parameter)
    {
        project.Resource.Environment.Add((name, () => parameter.Resource.Value));
        project.Resource.ParameterEnvironment[name] = parameter.Resource;
        return project;
    }
}
