using System.Security.Cryptography;
using System.Text;

namespace Microsoft.AspNetCore.Builder;

/// <summary>
/// Policy changes require <c>Authorization: Bearer {admin key}</c> (IRONASPIRE_ADMIN_KEY, which the AppHost passes),
/// since whoever changes a policy can switch redaction off. With no admin key configured they are closed, not open.
/// The same rule as the Router's admin endpoints.
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
            return TypedResults.Problem(statusCode: 401, title: "Unauthorized", detail: "Changing a policy needs the admin key.");
        }

        return await next(context);
    }
}
