using IronAspire.Safety;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using IronAspire.Pii.Policies;

namespace Microsoft.Extensions.Hosting;

public static class Extensions
{
    public static IHostApplicationBuilder AddSafetyServices(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<SafetyOptions>()
            .BindConfiguration(SafetyOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddProblemDetails();
        services.AddOpenApi();
        // No service calls Safety over HTTP today (the Router reads policies from Redis): operators only, unless a
        // service key is configured.
        builder.AddInternalApiAuthentication(serviceKeyRequired: false);

        // Malformed bodies (unknown actions, wrong JSON) are 400 ProblemDetails in every environment, never exceptions.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = false);
        services.Configure<JsonOptions>(o => o.SerializerOptions.UnmappedMemberHandling = PiiPolicy.Json.UnmappedMemberHandling);

        builder.AddRedisClient("cache", configureOptions: RedisClientDefaults.Configure);
        builder.AddPiiPolicies();
        return builder;
    }
}
