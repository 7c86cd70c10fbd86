using IronAspire.AgentSupervisor.Apis;
using IronAspire.AgentSupervisor.Budgets;
using MassTransit;
using Microsoft.Extensions.DependencyInjection.Extensions;
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
            })
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddProblemDetails();
        services.AddOpenApi();

        builder.AddNpgsqlDbContext<SupervisorDbContext>("supervisordb");
        services.AddMigration<SupervisorDbContext>();
        builder.AddRedisClient("cache");

        services.AddBudgetClient();
        services.AddScoped<IAgentBudgets, BudgetServiceBudgets>();

        services.AddSingleton<AdminKey>();
        services.AddSingleton<AgentKeyStore>();
        services.AddSingleton<LiveFeed>();
        services.AddSingleton<AgentActivity>();
        services.AddSingleton<AgentRunner>();

        builder.AddSupervisorBus();
        // After the migration (hosted services start in registration order) and after the bus, so that at shutdown
        // (reverse order) the agents are stopped, and their last states published, before the bus goes.
        services.AddHostedService<AgentReconciliation>();
        return builder;
    }

    /// <summary>
    /// MassTransit over RabbitMQ (<c>ConnectionStrings:messaging</c>, an amqp:// URI): the Supervisor's own queue receives
    /// every IronAspire event it shows or acts on.
    /// </summary>
    private static void AddSupervisorBus(this IHostApplicationBuilder builder)
    {
        var connectionString = builder.Configuration.GetConnectionString("messaging")
            ?? throw new InvalidOperationException("RabbitMQ connection string 'ConnectionStrings:messaging' is missing. Set ConnectionStrings__messaging.");
        var uri = new Uri(connectionString);
        builder.Services.AddMassTransit(bus =>
        {
            bus.AddConsumer<BusEventsConsumer>();
            bus.UsingRabbitMq((context, rabbit) =>
            {
                var credentials = Uri.UnescapeDataString(uri.UserInfo).Split(':', 2);
                var virtualHost = uri.AbsolutePath.Trim('/') is { Length: > 0 } path ? Uri.UnescapeDataString(path) : "/";
                rabbit.Host(uri.Host, (ushort)(uri.IsDefaultPort || uri.Port < 0 ? 5672 : uri.Port), virtualHost, host =>
                {
                    host.Username(credentials.ElementAtOrDefault(0) is { Length: > 0 } user ? user : "guest");
                    host.Password(credentials.ElementAtOrDefault(1) ?? "guest");
                });
                var prefix = context.GetRequiredService<IOptions<SupervisorOptions>>().Value.QueuePrefix;
                rabbit.ReceiveEndpoint(prefix + "-events", endpoint =>
                {
                    endpoint.UseMessageRetry(retry => retry.Intervals(100, 500, 2000));
                    endpoint.ConfigureConsumer<BusEventsConsumer>(context);
                });
            });
        });
    }
}
