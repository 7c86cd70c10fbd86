using IronAspire.Hosting;
using IronAspire.Hosting.ApplicationModel;

namespace IronAspire.AppHost;

/// <summary>
/// The application model, declared once and used both by the AppHost and by the tests
/// (<c>DistributedApplicationTestingBuilder.CreateAsync&lt;IronAspireModel&gt;()</c>), so tests run exactly what users run.
/// </summary>
public sealed class IronAspireModel : IDistributedApplicationModel
{
    public const int DefaultRouterPort = 8100;
    public const int DefaultSupervisorPort = 8101;

    private IronAspireModel()
    {
    }

    public static void Declare(IDistributedApplicationBuilder builder)
    {
        var configuration = builder.Configuration;

        // Backing servers. A connection string in configuration (ConnectionStrings__cache, ...) replaces the local server.
        var cache = builder.AddRedis("cache");
        var postgres = builder.AddPostgres("postgres");
        var budgetDb = postgres.AddDatabase("budgetdb");
        var analyticsDb = postgres.AddDatabase("analyticsdb");
        var supervisorDb = postgres.AddDatabase("supervisordb");
        var messaging = builder.AddRabbitMQ("messaging");

        // Secrets: from the AppHost's environment, else generated once and kept in the state folder.
        var adminKey = builder.AddParameter("admin-key", secret: true, environmentVariable: "IRONASPIRE_ADMIN_KEY");
        var demoKey = builder.AddParameter("demo-key", secret: true, environmentVariable: "IRONASPIRE_DEMO_KEY");
        // Service-to-service credential: only the Budget service (which checks it) and its callers get it (docs/security.md).
        var serviceKey = builder.AddParameter("service-key", secret: true, environmentVariable: "IRONASPIRE_SERVICE_KEY");

        var mockProvider = builder.AddProject<Projects.IronAspire_MockProvider>("mock-provider");

        // Analytics first: its queues must be bound before anyone publishes, or RabbitMQ drops what is published
        // on a brand-new broker (the event bus's first-start gap).
        var analytics = builder.AddProject<Projects.IronAspire_Analytics>("analytics")
            .WithReference(analyticsDb)
            .WithReference(messaging)
            .WithEnvironment("IRONASPIRE_ADMIN_KEY", adminKey)
            .WaitFor(analyticsDb)
            .WaitFor(messaging)
            .WithRestart();

        var budget = builder.AddProject<Projects.IronAspire_Budget>("budget")
            .WithReference(cache)
            .WithReference(budgetDb)
            .WithReference(messaging)
            .WithEnvironment("IRONASPIRE_ADMIN_KEY", adminKey)
            .WithEnvironment("IRONASPIRE_SERVICE_KEY", serviceKey)
            .WaitFor(cache)
            .WaitFor(budgetDb)
            .WaitFor(messaging)
            .WaitFor(analytics)
            .WithRestart();

        builder.AddProject<Projects.IronAspire_Safety>("safety")
            .WithReference(cache)
            .WithEnvironment("IRONASPIRE_ADMIN_KEY", adminKey)
            .WaitFor(cache)
            .WithRestart();

        var router = builder.AddProject<Projects.IronAspire_Router>("router")
            .WithHttpEndpoint(port: Port(configuration["AppHost:RouterPort"], DefaultRouterPort))
            .WithReference(cache)
            .WithReference(messaging)
            .WithReference(budget)
            .WithReference(mockProvider)
            .WithEnvironment("IRONASPIRE_ADMIN_KEY", adminKey)
            .WithEnvironment("IRONASPIRE_DEMO_KEY", demoKey)
            .WithEnvironment("IRONASPIRE_SERVICE_KEY", serviceKey)
            // The upstream for every model when no provider key is configured (see ProviderKeys).
            .WithEnvironment("IRONASPIRE_DEFAULT_UPSTREAM", "mock-provider")
            .WaitFor(cache)
            .WaitFor(messaging)
            .WaitFor(budget)
            .WaitFor(mockProvider)
            .WaitFor(analytics)
            .WithRestart();
        ProviderKeys.Apply(router, configuration);
        BudgetSettings.Apply(configuration, budget, router);

        builder.AddProject<Projects.IronAspire_AgentSupervisor>("agent-supervisor")
            .WithHttpEndpoint(port: Port(configuration["AppHost:SupervisorPort"], DefaultSupervisorPort))
            .WithReference(supervisorDb)
            .WithReference(cache)
            .WithReference(messaging)
            .WithReference(budget)
            .WithReference(analytics)
            .WithReference(router)
            .WithEnvironment("IRONASPIRE_ADMIN_KEY", adminKey)
            .WithEnvironment("IRONASPIRE_SERVICE_KEY", serviceKey)
            .WaitFor(supervisorDb)
            .WaitFor(cache)
            .WaitFor(messaging)
            .WaitFor(budget)
            .WaitFor(analytics)
            .WaitFor(router)
            .WithRestart();
    }

    private static int Port(string? configured, int fallback) =>
        int.TryParse(configured, out var port) && port is >= 0 and <= 65535 ? port : fallback;
}
