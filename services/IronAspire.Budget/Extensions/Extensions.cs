using IronAspire.Budget.Budgets;
using IronAspire.Budget.Ledger;

namespace Microsoft.Extensions.Hosting;

public static class Extensions
{
    public static IHostApplicationBuilder AddBudgetServices(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddProblemDetails();
        services.AddExceptionHandler<BudgetErrorHandler>();
        services.AddOpenApi();
        // The Router and the Supervisor call this service with the service key; operators with the admin key.
        builder.AddInternalApiAuthentication(serviceKeyRequired: true);

        builder.AddRedisClient("cache", configureOptions: RedisClientDefaults.Configure);
        builder.AddNpgsqlDataSource("budgetdb");
        // The application model always gives the bus; a host without one (a test of another service) still enforces budgets.
        if (builder.Configuration.GetConnectionString(EventBusExtensions.ConnectionName) is not null)
        {
            builder.AddEventBus();
        }

        services.AddBudgetStore();
        services.AddSingleton<BudgetLedger>();
        // First hosted service: the ledger schema exists before anything else starts.
        services.AddSingleton<LedgerOutbox>();
        services.AddHostedService(sp => sp.GetRequiredService<LedgerOutbox>());
        services.AddSingleton<IBudgetLedger, DurableBudgetLedger>();
        services.AddHostedService<ReservationSweeper>();
        return builder;
    }
}
