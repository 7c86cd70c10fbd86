using IronAspire.Router.Providers;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Operator endpoints of the Router, behind the admin key.</summary>
public static class AdminApi
{
    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/v1/admin").WithTags("Admin").AddEndpointFilter<AdminKeyFilter>();
        admin.MapGet("/providers", ListProviders)
            .WithName("admin.providers")
            .WithSummary("Providers with their circuit state (Closed, Open, HalfOpen, Isolated)");
        return app;
    }

    public sealed record ProviderStatus(string Name, string Kind, string BaseUrl, IReadOnlyList<string> Models, string Circuit, DateTimeOffset? LastChange, string? LastReason, int? RetryAfterSeconds);

    private static Ok<ProviderStatus[]> ListProviders(ProviderRegistry providers) =>
        TypedResults.Ok(providers.All.Select(p => new ProviderStatus(
            p.Name,
            p.Kind.ToString(),
            p.BaseUrl,
            p.Models,
            p.Circuit.State.ToString(),
            p.Circuit.LastChange,
            p.Circuit.LastReason,
            p.IsRejecting ? p.Circuit.RetryAfterSeconds() : null)).ToArray());
}

/// <summary>
/// Requires <c>Authorization: Bearer {admin key}</c> (IRONASPIRE_ADMIN_KEY). With no admin key configured the
/// admin endpoints are closed, not open.
/// </summary>
public sealed class AdminKeyFilter(IConfiguration configuration) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var expected = configuration["IRONASPIRE_ADMIN_KEY"];
        var header = context.HttpContext.Request.Headers.Authorization.ToString();
        var given = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : "";
        if (string.IsNullOrEmpty(expected)
            || !System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
                System.Text.Encoding.UTF8.GetBytes(given), System.Text.Encoding.UTF8.GetBytes(expected)))
        {
            return TypedResults.Problem(statusCode: 401, title: "Unauthorized", detail: "The admin key is missing or wrong.");
        }

        return await next(context);
    }
}
