using IronAspire.Hosting;
using IronAspire.Hosting.ApplicationModel;

namespace IronAspire.AppHost;

/// <summary>
/// The application model, declared once and used both by the AppHost and by the tests
/// (DistributedApplicationTestingBuilder), so tests run exactly what users run.
/// </summary>
public static class IronAspireModel
{
    public const int DefaultRouterPort = 8100;
    public const int DefaultSupervisorPort = 8101;

    public static void Declare(IDistributedApplicationBuilder builder)
    {
        var configuration = builder.Configuration;

        // Backing servers. A connection string in configuration (ConnectionStrings__cache, ...) replaces the local server.
        var cache = builder.AddRedis("cache");
        var postgres = builder.AddPostgres("postgres");
        var messaging = builder.AddRabbitMQ("messaging");

        // Secrets: from the AppHost's environment, else generated once and kept in the state folder.
        var adminKey = builder.AddParameter("admin-key", secret: true, environmentVariable: "IRONASPIRE_ADMIN_KEY");
        var demoKey = builder.AddParameter("demo-key", secret: true, environmentVariable: "IRONASPIRE_DEMO_KEY");

        var budgetDb = postgres.AddDatabase("budgetdb");

        // Services
        var mockProvider = builder.AddProject<Projects.IronAspire_MockProvider>("mock-provider");

        var budget = builder.AddProject<Projects.IronAspire_Budget>("budget")
            .WithReference(cache)
            .WithReference(budgetDb)
            // Agents without a budget of their own get this much in the local model (the demo agent among them).
            .WithEnvironment("Budget__DefaultAgentLimitUsd", configuration["IRONASPIRE_DEFAULT_AGENT_BUDGET_USD"] ?? "5")
            .WaitFor(cache)
            .WaitFor(budgetDb)
            .WithRestart();

        var router = builder.AddProject<Projects.IronAspire_Router>("router")
            .WithHttpEndpoint(port: Port(configuration["AppHost:RouterPort"], DefaultRouterPort))
            .WithReference(cache)
            .WithReference(mockProvider)
            .WithReference(budget)
            .WithEnvironment("IRONASPIRE_ADMIN_KEY", adminKey)
            .WithEnvironment("IRONASPIRE_DEMO_KEY", demoKey)
            .WaitFor(cache)
            .WaitFor(mockProvider)
            .WaitFor(budget)
            .WithRestart();
        ProviderKeys.Apply(router, configuration);

        _ = postgres;
        _ = messaging;
    }

    private static int Port(string? configured, int fallback) =>
        int.TryParse(configured, out var port) && port is >= 0 and <= 65535 ? port : fallback;
}
