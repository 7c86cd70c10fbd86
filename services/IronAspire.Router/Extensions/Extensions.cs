using IronAspire.Contracts.Budget;
using IronAspire.Router;
using IronAspire.Router.Auth;
using IronAspire.Router.Errors;
using IronAspire.Validation;
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
            // The Budget service is the fallback when Redis cannot reserve; it answers only with the service key.
            .Validate<IConfiguration>((o, configuration) => !o.Budget.Enabled || !string.IsNullOrEmpty(configuration[ServiceCredentials.ServiceKeyVariable]),
                $"{ServiceCredentials.ServiceKeyVariable} must be set: the Router calls the Budget service with it.")
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
        // After the event bus and before the settlements: stopped after the settlements (their events go out) and before
        // the bus (which flushes the last batch).
        services.AddHostedService(sp => sp.GetRequiredService<RouterEvents>());
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
        services.AddBudgetClient().AddServiceCredential();
        services.AddSingleton<BudgetClientFactory>();
        services.AddSingleton<BudgetSettlement>();
        services.AddHostedService(sp => sp.GetRequiredService<BudgetSettlement>());
        services.AddSingleton<CallGovernance>();
        services.AddSingleton<IronAspire.Router.RateLimits.AgentRateLimiter>();
        services.AddSingleton<LlmProxyHandler>();
        return builder;
    }

    /// <summary>
    /// Every response carries x-request-id: the client's own when it sent a valid one (1-128 visible ASCII characters,
    /// because it is echoed in a header and stored with the call), else a new one; an invalid one is a 400. An error
    /// that escapes an endpoint becomes a 500 in the route's format, never a developer page (which would quote the
    /// caller's headers).
    /// </summary>
    public static WebApplication UseRouterPipeline(this WebApplication app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            ExceptionHandler = context => new ApiError(500, "internal_error", "The Router failed to handle this request; it was logged.")
                .WriteAsync(context, DialectOf(context.Request)),
        });
        app.Use(async (context, next) =>
        {
            var incoming = context.Request.Headers["x-request-id"];
            if (incoming.Count > 1 || (incoming.Count == 1 && !InputText.IsHeaderToken(incoming[0])))
            {
                context.Response.Headers["x-request-id"] = context.TraceIdentifier = NewRequestId();
                await ApiError.InvalidRequest("x-request-id must be 1-128 visible ASCII characters.", "x-request-id")
                    .WriteAsync(context, DialectOf(context.Request));
                return;
            }

            var requestId = incoming.Count == 1 ? incoming[0]! : NewRequestId();
            context.TraceIdentifier = requestId;
            context.Response.Headers["x-request-id"] = requestId;
            await next(context);
        });
        return app;
    }

    private static string NewRequestId() => "req_" + Guid.CreateVersion7().ToString("N");

    /// <summary>The error format of a path before routing: Anthropic's for its routes and clients, OpenAI's otherwise.</summary>
    private static ApiDialect DialectOf(HttpRequest request) =>
        request.Path.StartsWithSegments("/anthropic") || request.Path.StartsWithSegments("/v1/messages")
        || request.Headers.ContainsKey("anthropic-version")
            ? ApiDialect.Anthropic
            : ApiDialect.OpenAI;
}
