using Aspire.Hosting.ApplicationModel;
using IronAspire.AppHost.Lifecycle;
using IronAspire.AppHost.Servers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace IronAspire.AppHost;

/// <summary>
/// The application model: the backing servers, the secrets, and the services with their references. The AppHost's
/// Program runs it; the tests start the very same AppHost with Aspire.Hosting.Testing.
/// </summary>
public static class IronAspireModel
{
    public static void Declare(IDistributedApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var state = builder.ExecutionContext.IsRunMode ? StateFolder.FromConfiguration(configuration, builder.AppHostDirectory) : null;
        if (state is not null)
        {
            // The one state folder of this run, for the AppHost's own services (resources file, log files).
            builder.Services.AddSingleton(state);
        }

        var servers = BackingServersModel.Add(builder, state);
        if (!configuration.GetValue<bool>(AppHostSettings.ServersOnly))
        {
            AddServices(builder, state, servers);
        }

        // Everything listens on 127.0.0.1 (DCP's proxies included), and URLs and connection strings say so: a client
        // given "localhost" may try ::1 first, where nothing listens.
        foreach (var endpoint in builder.Resources.SelectMany(r => r.Annotations.OfType<EndpointAnnotation>()))
        {
            endpoint.TargetHost = "127.0.0.1";
        }
    }

    private static void AddServices(IDistributedApplicationBuilder builder, StateFolder? state, BackingServersModel servers)
    {
        var configuration = builder.Configuration;

        // Secrets: from the AppHost's environment, else generated once and kept in the state folder (run mode);
        // in publish mode they are the deployment's parameters.
        var adminKey = Secret(builder, state, "admin-key", "IRONASPIRE_ADMIN_KEY");
        var demoKey = Secret(builder, state, "demo-key", "IRONASPIRE_DEMO_KEY");
        // Service-to-service credential: only the Budget service (which checks it) and its callers get it (docs/security.md).
        var serviceKey = Secret(builder, state, "service-key", "IRONASPIRE_SERVICE_KEY");

        // Services run as Production (no developer error pages) unless the AppHost is told otherwise.
        var environment = configuration["AppHost:ServiceEnvironment"] ?? "Production";

        var mockProvider = builder.AddProject<Projects.IronAspire_MockProvider>("mock-provider")
            .WithHttpEndpoint()
            .WithServiceDefaults(environment);

        // Analytics first: its queues must be bound before anyone publishes, or RabbitMQ drops what is published
        // on a brand-new broker (the event bus's first-start gap).
        var analytics = builder.AddProject<Projects.IronAspire_Analytics>("analytics")
            .WithHttpEndpoint()
            .WithServiceDefaults(environment)
            .WithReference(servers.AnalyticsDb)
            .WithReference(servers.Messaging)
            .WithEnvironment("IRONASPIRE_ADMIN_KEY", adminKey)
            .WaitFor(servers.AnalyticsDb)
            .WaitFor(servers.Messaging)
            .WithRestartOnFailure();

        var budget = builder.AddProject<Projects.IronAspire_Budget>("budget")
            .WithHttpEndpoint()
            .WithServiceDefaults(environment)
            .WithReference(servers.Cache)
            .WithReference(servers.BudgetDb)
            .WithReference(servers.Messaging)
            .WithEnvironment("IRONASPIRE_ADMIN_KEY", adminKey)
            .WithEnvironment("IRONASPIRE_SERVICE_KEY", serviceKey)
            .WaitFor(servers.Cache)
            .WaitFor(servers.BudgetDb)
            .WaitFor(servers.Messaging)
            .WaitFor(analytics)
            .WithRestartOnFailure();

        builder.AddProject<Projects.IronAspire_Safety>("safety")
            .WithHttpEndpoint()
            .WithServiceDefaults(environment)
            .WithReference(servers.Cache)
            .WithEnvironment("IRONASPIRE_ADMIN_KEY", adminKey)
            .WaitFor(servers.Cache)
            .WithRestartOnFailure();

        var router = builder.AddProject<Projects.IronAspire_Router>("router")
            .WithHttpEndpoint(port: Port(configuration[AppHostSettings.RouterPort], AppHostSettings.DefaultRouterPort))
            .WithExternalHttpEndpoints() // the app's entry points (Kubernetes lets them in from outside the namespace)
            .WithServiceDefaults(environment)
            // Replicas share Redis, so budgets stay exact across them; DCP's proxy spreads calls over them on one port.
            .WithReplicas(Math.Max(1, configuration.GetValue(AppHostSettings.RouterReplicas, 1)))
            .WithReference(servers.Cache)
            .WithReference(servers.Messaging)
            .WithReference(budget)
            .WithReference(mockProvider)
            .WithEnvironment("IRONASPIRE_ADMIN_KEY", adminKey)
            .WithEnvironment("IRONASPIRE_DEMO_KEY", demoKey)
            .WithEnvironment("IRONASPIRE_SERVICE_KEY", serviceKey)
            // The upstream for every model when no provider key is configured (see ProviderKeys).
            .WithEnvironment("IRONASPIRE_DEFAULT_UPSTREAM", "mock-provider")
            .WaitFor(servers.Cache)
            .WaitFor(servers.Messaging)
            .WaitFor(budget)
            .WaitFor(mockProvider)
            .WaitFor(analytics)
            .WithRestartOnFailure();
        ProviderKeys.Apply(router, configuration);
        BudgetSettings.Apply(configuration, budget, router);

        builder.AddProject<Projects.IronAspire_AgentSupervisor>("agent-supervisor")
            .WithHttpEndpoint(port: Port(configuration[AppHostSettings.SupervisorPort], AppHostSettings.DefaultSupervisorPort))
            .WithExternalHttpEndpoints()
            .WithServiceDefaults(environment)
            .WithReference(servers.SupervisorDb)
            .WithReference(servers.Cache)
            .WithReference(servers.Messaging)
            .WithReference(budget)
            .WithReference(analytics)
            .WithReference(router)
            .WithEnvironment("IRONASPIRE_ADMIN_KEY", adminKey)
            .WithEnvironment("IRONASPIRE_SERVICE_KEY", serviceKey)
            .WaitFor(servers.SupervisorDb)
            .WaitFor(servers.Cache)
            .WaitFor(servers.Messaging)
            .WaitFor(budget)
            .WaitFor(analytics)
            .WaitFor(router)
            .WithRestartOnFailure();
    }

    private static IResourceBuilder<ParameterResource> Secret(IDistributedApplicationBuilder builder, StateFolder? state, string name, string environmentVariable) =>
        state is null
            ? builder.AddParameter(name, secret: true)
            : builder.AddParameter(name, () => builder.Configuration[environmentVariable] is { Length: > 0 } given ? given : state.Secret(name), secret: true);

    /// <summary>Every service: its environment, and an /health check DCP asks, so WaitFor on a service means it is ready.</summary>
    private static IResourceBuilder<ProjectResource> WithServiceDefaults(this IResourceBuilder<ProjectResource> project, string environment) =>
        project.WithEnvironment("ASPNETCORE_ENVIRONMENT", environment)
            .WithEnvironment("DOTNET_ENVIRONMENT", environment)
            .WithHttpHealthCheck("/health");

    private static int? Port(string? configured, int fallback) =>
        int.TryParse(configured, out var port) && port is >= 0 and <= 65535 ? (port == 0 ? null : port) : fallback;
}
