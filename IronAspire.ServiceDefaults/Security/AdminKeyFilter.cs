using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;

namespace Microsoft.AspNetCore.Builder;

/// <summary>
/// Operator endpoints require <c>Authorization: Bearer {admin key}</c> (IRONASPIRE_ADMIN_KEY), compared in constant
/// time. With no admin key configured they are closed, not open. The service key does not open them.
/// </summary>
public sealed class AdminKeyFilter(IConfiguration configuration) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (!ServiceCredentials.Matches(ServiceCredentials.BearerToken(context.HttpContext.Request), configuration[ServiceCredentials.AdminKeyVariable]))
        {
            return TypedResults.Problem(statusCode: 401, title: "Unauthorized", detail: "This endpoint needs the admin key (IRONASPIRE_ADMIN_KEY) as a Bearer token.");
        }

        return await next(context);
    }
}
