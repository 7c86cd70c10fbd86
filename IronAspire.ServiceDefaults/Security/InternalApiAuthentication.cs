using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.AspNetCore.Builder;

/// <summary>The keys an internal service (Budget, Safety, Analytics) accepts.</summary>
public sealed class InternalApiKeys
{
    public string? AdminKey { get; set; }
    public string? ServiceKey { get; set; }
}

/// <summary>
/// Every endpoint of an internal service but the health probes (which reveal only a status word) requires the admin
/// key or the service key as a Bearer token; anything else — an agent key, no key — is a 401 ProblemDetails.
/// </summary>
public static class InternalApiAuthentication
{
    /// <summary>
    /// Reads IRONASPIRE_ADMIN_KEY and IRONASPIRE_SERVICE_KEY and validates them at start: at least one is set, they
    /// differ, and the service key is set when <paramref name="serviceKeyRequired"/> (a service other services call).
    /// </summary>
    public static TBuilder AddInternalApiAuthentication<TBuilder>(this TBuilder builder, bool serviceKeyRequired)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOptions<InternalApiKeys>()
            .Configure<Microsoft.Extensions.Configuration.IConfiguration>((keys, configuration) =>
            {
                keys.AdminKey = NullIfEmpty(configuration[ServiceCredentials.AdminKeyVariable]);
                keys.ServiceKey = NullIfEmpty(configuration[ServiceCredentials.ServiceKeyVariable]);
            })
            .Validate(keys => keys.AdminKey is not null || keys.ServiceKey is not null,
                $"{ServiceCredentials.AdminKeyVariable} or {ServiceCredentials.ServiceKeyVariable} must be set: this service's API requires a credential.")
            .Validate(keys => !serviceKeyRequired || keys.ServiceKey is not null,
                $"{ServiceCredentials.ServiceKeyVariable} must be set: other services call this one with it.")
            .Validate(keys => keys.AdminKey is null || keys.ServiceKey is null || keys.AdminKey != keys.ServiceKey,
                $"{ServiceCredentials.ServiceKeyVariable} must differ from {ServiceCredentials.AdminKeyVariable}.")
            .ValidateOnStart();
        return builder;
    }

    public static WebApplication UseInternalApiAuthentication(this WebApplication app)
    {
        var keys = app.Services.GetRequiredService<IOptions<InternalApiKeys>>().Value;
        app.Use(async (context, next) =>
        {
            var path = context.Request.Path;
            if (path.StartsWithSegments(Microsoft.Extensions.Hosting.Extensions.HealthEndpointPath) || path.StartsWithSegments(Microsoft.Extensions.Hosting.Extensions.AlivenessEndpointPath))
            {
                await next(context);
                return;
            }

            var token = ServiceCredentials.BearerToken(context.Request);
            // Both comparisons always run, so the time taken does not say which key was close.
            var admin = ServiceCredentials.Matches(token, keys.AdminKey);
            var service = ServiceCredentials.Matches(token, keys.ServiceKey);
            if (admin | service)
            {
                await next(context);
                return;
            }

            await Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized",
                detail: "This internal API needs the admin key or the service key as 'Authorization: Bearer <key>'.",
                extensions: new Dictionary<string, object?> { ["code"] = "unauthorized" }).ExecuteAsync(context);
        });
        return app;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
