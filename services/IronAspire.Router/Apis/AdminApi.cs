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
