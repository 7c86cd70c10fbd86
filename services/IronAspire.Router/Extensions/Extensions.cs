using IronAspire.Contracts.Budget;
using IronAspire.Router;
using IronAspire.Router.Auth;
using IronAspire.Router.Governance;
using IronAspire.Router.Providers;
using IronAspire.Router.Proxy;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

public static class Extensions
{
    public static IHostApplicationBuilder AddRouterServices(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<RouterOptions>()
            .BindConfiguration(RouterOptions.SectionName)
            .ValidateDataAnnotations()
            .Validate(o => o.Providers.Select(p => p.Name).Distinct().Count() == o.Providers.Count, "Provider names must be unique.")
            .ValidateOnStart();
        services.AddOptions<DemoAgentOptions>()
            .BindConfiguration("Router:DemoAgent")
            .Configure<IConfiguration>((demo, configuration) => demo.Key ??= configuration["IRONASPIRE_DEMO_KEY"]);

        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpForwarder();
        services.AddOpenApi();
        builder.AddRedisClient("cache", configureOptions: RedisClientDefaults.Configure);
        builder.AddPiiPolicies();
        builder.AddEventBus();

        services.AddSingleton<RouterMetrics>();
        services.AddSingleton<RouterEvents>();
        services.AddSingleton<CircuitEventSink>();
        services.AddSingleton(sp => new ProviderPipelineFactory(
            sp.GetRequiredService<IOptions<RouterOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<ProviderPipelineFactory>>(),
            sp.GetRequiredService<RouterMetrics>(),
            sp.GetRequiredService<CircuitEventSink>()));
        services.AddSingleton(sp => new ProviderRegistry(
            sp.GetRequiredService<IOptions<RouterOptions>>(),
            sp.GetRequiredService<IConfiguration>(),
            sp.GetRequiredService<ProviderPipelineFactory>(),
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<AgentKeyAuthenticator>();
        services.AddSingleton<ResponseRelay>();
        services.AddBudgetStore();
        services.AddBudgetClient();
        services.AddSingleton<BudgetClientFactory>();
        services.AddSingleton<BudgetSettlement>();
        services.AddHostedService(sp => sp.GetRequiredService<BudgetSettlement>());
        services.AddSingleton<CallGovernance>();
        services.AddSingleton<IronAspire.Router.RateLimits.AgentRateLimiter>();
        services.AddSingleton<LlmProxyHandler>();
        return builder;
    }

    /// <summary>Every response carries x-request-id: the client's own when it sent one, else a new one.</summary>
    public static WebApplication UseRouterPipeline(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            var incoming = context.Request.Headers["x-request-id"].ToString();
            var requestId = incoming.Length is > 0 and <= 128 ? incoming : "req_" + Guid.CreateVersion7().ToString("N");
            context.TraceIdentifier = requestId;
            context.Response.Headers["x-request-id"] = requestId;
            return next(context);
        });
        return app;
    }
}
