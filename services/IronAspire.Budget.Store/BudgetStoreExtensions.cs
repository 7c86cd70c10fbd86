using IronAspire.Budget;
using IronAspire.Budget.Budgets;
using IronAspire.Budget.Pricing;
using IronAspire.Budget.Telemetry;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

public static class BudgetStoreExtensions
{
    /// <summary>
    /// The budget store over the <see cref="StackExchange.Redis.IConnectionMultiplexer"/> already registered, with its
    /// settings (section <c>Budget</c>: default limit, prices, cheapest call) validated at start. Services that share one
    /// Redis must be given the same <c>Budget</c> settings (the AppHost does), or they would price a call differently.
    /// </summary>
    public static IServiceCollection AddBudgetStore(this IServiceCollection services)
    {
        services.AddOptions<BudgetOptions>()
            .BindConfiguration(BudgetOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<BudgetMetrics>();
        services.AddSingleton<PriceTable>();
        services.AddSingleton<BudgetEvents>();
        services.AddSingleton<BudgetStore>();
        return services;
    }
}
