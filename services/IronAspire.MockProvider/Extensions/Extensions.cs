using IronAspire.MockProvider.Simulation;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.Hosting;

public static class Extensions
{
    public static IHostApplicationBuilder AddMockProviderServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<MockOptions>()
            .BindConfiguration(MockOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<FaultState>();
        builder.Services.AddSingleton<MockStats>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<Simulator>();
        builder.Services.AddOpenApi();
        return builder;
    }

    /// <summary>Every endpoint of the MockProvider: health, OpenAPI, the provider APIs and its admin API.</summary>
    public static WebApplication MapMockProvider(this WebApplication app)
    {
        app.MapDefaultEndpoints();
        app.MapOpenApi();
        app.MapProviderApis();
        app.MapAzureOpenAIApi();
        app.MapMockAdminApi();
        return app;
    }
}
