using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;

namespace Microsoft.AspNetCore.Builder;

/// <summary>
/// Operator endpoints require <c>Authorization: Bearer {admin key}</c> (IRONASPIRE_ADMIN_KEY, which the AppHost passes
/// to every service), compared in constant time. With no admin key configured they are closed, not open.
/// </summary>
public sealed class AdminKeyFilter(IConfiguration configuration) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var expected = configuration["IRONASPIRE_ADMIN_KEY"];
        var header = context.HttpContext.Request.Headers.Authorization.ToString();
        var given = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : "";
        if (string.IsNullOrEmpty(expected)
            || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(expected)))
        {
            return TypedResults.Problem(statusCode: 401, title: "Unauthorized", detail: "This endpoint needs the admin key (IRONASPIRE_ADMIN_KEY) as a Bearer token.");
        }

        return await next(context);
    }
}
