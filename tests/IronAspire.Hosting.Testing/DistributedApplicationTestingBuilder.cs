using IronAspire.Hosting.ApplicationModel;

namespace IronAspire.Hosting.Testing;

/// <summary>
/// Starts the application model in tests, as Aspire.Hosting.Testing does: the same declaration the AppHost runs,
/// with every project on a free port (fixed ports such as the Router's 8100 included), state in a temporary folder,
/// and the shared <see cref="BackingServers"/> (started once per test run) in place of per-app servers.
/// </summary>
/// <example>
/// <code>
/// await using var builder = await DistributedApplicationTestingBuilder.CreateAsync&lt;IronAspireModel&gt;();
/// await using var app = await builder.BuildAsync();
/// await app.StartAsync();
/// await app.ResourceNotifications.WaitForResourceHealthyAsync("router");
/// using var http = app.CreateHttpClient("router");
/// </code>
/// </example>
public static class DistributedApplicationTestingBuilder
{
    /// <summary>The model <typeparamref name="TModel"/> declares (Aspire: <c>CreateAsync&lt;Projects.X_AppHost&gt;()</c>).</summary>
    public static Task<IDistributedApplicationTestingBuilder> CreateAsync<TModel>(CancellationToken cancellationToken = default)
        where TModel : IDistributedApplicationModel =>
        CreateAsync(TModel.Declare, [], null, cancellationToken);

    /// <param name="args">AppHost arguments or configuration (<c>--Key=Value</c>, e.g. <c>--IRONASPIRE_DEMO_KEY=...</c>).</param>
    public static Task<IDistributedApplicationTestingBuilder> CreateAsync<TModel>(string[] args, CancellationToken cancellationToken = default)
        where TModel : IDistributedApplicationModel =>
        CreateAsync(TModel.Declare, args, null, cancellationToken);

    /// <param name="args">AppHost arguments or configuration (<c>--Key=Value</c>).</param>
    /// <param name="configure">Changes the orchestrator's options (timeouts, console logging, time provider...).</param>
    public static Task<IDistributedApplicationTestingBuilder> CreateAsync<TModel>(string[] args, Action<DistributedApplicationOptions>? configure, CancellationToken cancellationToken = default)
        where TModel : IDistributedApplicationModel =>
        CreateAsync(TModel.Declare, args, configure, cancellationToken);

    /// <param name="declare">The model declaration (the AppHost's <c>IronAspireModel.Declare</c>).</param>
    /// <param name="args">AppHost arguments or configuration (<c>--Key=Value</c>).</param>
    public static Task<IDistributedApplicationTestingBuilder> CreateAsync(Action<IDistributedApplicationBuilder> declare, params string[] args) =>
        CreateAsync(declare, args, null, CancellationToken.None);

    public static async Task<IDistributedApplicationTestingBuilder> CreateAsync(
        Action<IDistributedApplicationBuilder> declare,
        string[] args,
        Action<DistributedApplicationOptions>? configure,
        CancellationToken cancellationToken = default)
    {
        var options = new DistributedApplicationOptions
        {
            StatePath = Path.Combine(BackingServers.StatePath, "app-" + Guid.NewGuid().ToString("N")[..8]),
            RandomizePorts = true,
            EphemeralServers = true,
            LogToConsole = false,
            HealthTimeout = TimeSpan.FromSeconds(90),
            StopGracePeriod = TimeSpan.FromSeconds(5),
        };
        configure?.Invoke(options);
        var builder = new TestingBuilder(DistributedApplication.CreateBuilder(args, options));
        declare(builder);
        await builder.UseSharedServersAsync(cancellationToken);
        return builder;
    }

    private sealed class TestingBuilder(IDistributedApplicationBuilder inner) : IDistributedApplicationTestingBuilder
    {
        private readonly List<DistributedApplication> _built = [];

        public Microsoft.Extensions.Configuration.IConfigurationManager Configuration => inner.Configuration;
        public IReadOnlyList<IResource> Resources => inner.Resources;
        public DistributedApplicationOptions Options => inner.Options;

        public IResourceBuilder<T> AddResource<T>(T resource) where T : IResource =>
            new ForwardingResourceBuilder<T>(inner.AddResource(resource).Resource, this);

        public DistributedApplication Build()
        {
            var app = inner.Build();
            _built.Add(app);
            return app;
        }

        public async Task<DistributedApplication> BuildAsync(CancellationToken cancellationToken = default)
        {
            // Resources the test added after CreateAsync use the shared servers too.
            await UseSharedServersAsync(cancellationToken);
            return Build();
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var app in _built)
            {
                await app.DisposeAsync();
            }
        }

        /// <summary>Points every backing server of the model at the shared test servers (only those it uses are started).</summary>
        public async Task UseSharedServersAsync(CancellationToken cancellationToken)
        {
            foreach (var resource in Resources)
            {
                cancellationToken.ThrowIfCancellationRequested();
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

    /// <summary>Keeps <c>ApplicationBuilder</c> pointing at the testing builder, so resources added through it are tracked too.</summary>
    private sealed class ForwardingResourceBuilder<T>(T resource, IDistributedApplicationBuilder builder) : IResourceBuilder<T> where T : IResource
    {
        public T Resource { get; } = resource;
        public IDistributedApplicationBuilder ApplicationBuilder { get; } = builder;
    }
}

/// <summary>The builder a test gets (Aspire's IDistributedApplicationTestingBuilder): declare more, then build and start.</summary>
public interface IDistributedApplicationTestingBuilder : IDistributedApplicationBuilder, IAsyncDisposable
{
    /// <summary>Builds the application (not started: call <c>StartAsync</c>); it is disposed with the builder.</summary>
    Task<DistributedApplication> BuildAsync(CancellationToken cancellationToken = default);
}
