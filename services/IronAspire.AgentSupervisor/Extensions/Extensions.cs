using IronAspire.AgentSupervisor.Apis;
using IronAspire.AgentSupervisor.Budgets;
using IronAspire.AgentSupervisor.Processes;
using IronAspire.Contracts.Analytics;
using MassTransit;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

public static class Extensions
{
    public static IHostApplicationBuilder AddSupervisorServices(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<SupervisorOptions>()
            .BindConfiguration(SupervisorOptions.SectionName)
            // The AppHost passes the admin key as IRONASPIRE_ADMIN_KEY, as it does to the Router.
            .PostConfigure<IConfiguration>((options, configuration) =>
            {
                if (string.IsNullOrEmpty(options.AdminKey) && configuration["IRONASPIRE_ADMIN_KEY"] is { Length: > 0 } key)
                {
                    options.AdminKey = key;
                }

                // Unless configured, agents reach the Router where the Supervisor does (the AppHost's reference to it):
                // agents run on the Supervisor's machine.
                if (configuration[$"{SupervisorOptions.SectionName}:{nameof(SupervisorOptions.RouterBaseUrl)}"] is null
                    && configuration["services:router:http:0"] is { Length: > 0 } router)
                {
                    options.RouterBaseUrl = router;
                }
            })
            .ValidateDataAnnotations()
            .Validate<IConfiguration>((_, configuration) => !string.IsNullOrEmpty(configuration[ServiceCredentials.ServiceKeyVariable]),
                $"{ServiceCredentials.ServiceKeyVariable} must be set: the Supervisor calls the Budget service with it.")
            // Running as root, agents run as another user; that user must exist (scripts/install-prerequisites.sh).
            .Validate(o => !AgentUser.SupervisorIsRoot || o.AgentUser is { Length: 0 } || AgentUser.Find(o.AgentUser ?? AgentUser.DefaultName) is not null,
                $"Supervisor:AgentUser (default {AgentUser.DefaultName}) names no local user; create it with scripts/install-prerequisites.sh, or set it to an existing unprivileged user.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddProblemDetails();
        services.AddOpenApi();

        builder.AddNpgsqlDbContext<SupervisorDbContext>("supervisordb");
        services.AddMigration<SupervisorDbContext>();
        builder.AddRedisClient("cache", configureOptions: RedisClientDefaults.Configure);

        services.AddBudgetClient().AddServiceCredential();
        services.AddScoped<IAgentBudgets, BudgetServiceBudgets>();
        // Analytics' query API (the AppHost's reference to it): GET /v1/agents/{id}/calls and, for the console's charts and
        // call log, GET /v1/analytics/* with the admin key. The Supervisor reads it on the operator's behalf (those endpoints
        // take only the admin key), so it calls with the admin key too: Analytics has no service key (docs/security.md).
        // Fail fast rather than retry: a console reads again on its own, and a browser has few connections per origin to
        // keep waiting on a slow Analytics (the default handler would hold each for up to 30 s).
        // (The standard handler ServiceDefaults adds to every client reads its options by the name "{client}-standard".)
        services.AddAnalyticsClient().AddAdminCredential();
        services.Configure<HttpStandardResilienceOptions>(nameof(AnalyticsClient) + "-standard", resilience =>
        {
            resilience.Retry.MaxRetryAttempts = 1;
            resilience.Retry.Delay = TimeSpan.FromMilliseconds(200);
            resilience.AttemptTimeout.Timeout = TimeSpan.FromSeconds(5);
            resilience.TotalRequestTimeout.Timeout = TimeSpan.FromSeconds(12);
        });

        services.AddSingleton<AdminKey>();
        services.AddSingleton<AgentKeyStore>();
        services.AddSingleton<LiveFeed>();
        services.AddSingleton<AgentActivity>();
        services.AddSingleton<AgentOutput>();
        services.AddSingleton<AlertBook>();
        services.AddSingleton<AgentRunner>();

        // The shared bus (IronAspire.EventBus): this service's queue "{EventBus:QueuePrefix}-bus-events" (prefix
        // "agent-supervisor" by default) receives every event it shows or acts on; IEventPublisher publishes AgentStateChanged.
        builder.AddEventBus(bus => bus.AddConsumer<BusEventsConsumer>());
        // After the migration (hosted services start in registration order) and after the bus, so that at shutdown
        // (reverse order) the agents are stopped, and their last states published, before the bus goes.
        services.AddHostedService<AgentReconciliation>();
        return builder;
    }
}
