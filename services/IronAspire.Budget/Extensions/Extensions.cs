using IronAspire.Budget;
using IronAspire.Budget.Budgets;
using IronAspire.Budget.Ledger;
using IronAspire.Budget.Pricing;
using IronAspire.Budget.Telemetry;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.Hosting;

public static class Extensions
{
    public static IHostApplicationBuilder AddBudgetServices(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<BudgetOptions>()
            .BindConfiguration(BudgetOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddProblemDetails();
        services.AddExceptionHandler<BudgetErrorHandler>();
        services.AddOpenApi();

        builder.AddRedisClient("cache");
        builder.AddNpgsqlDataSource("budgetdb");
        // The application model always gives the bus; a host without one (a test of another service) still enforces budgets.
        if (builder.Configuration.GetConnectionString(EventBusExtensions.ConnectionName) is not null)
        {
            builder.AddEventBus();
        }

        services.AddSingleton<BudgetMetrics>();
        services.AddSingleton<PriceTable>();
        services.AddSingleton<BudgetEvents>();
        services.AddSingleton<BudgetLedger>();
        // First hosted service: the ledger schema exists before anything else starts.
        services.AddSingleton<LedgerOutbox>();
        services.AddHostedService(sp => sp.GetRequiredService<LedgerOutbox>());
        services.AddSingleton<BudgetStore>();
        services.AddHostedService<ReservationSweeper>();
        return builder;
    }
}
