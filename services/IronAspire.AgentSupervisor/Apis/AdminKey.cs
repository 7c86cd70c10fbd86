using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace IronAspire.AgentSupervisor.Apis;

/// <summary>
/// The operator's key. APIs take it as <c>Authorization: Bearer {key}</c>; the WebSocket also as <c>?access_token={key}</c>,
/// because browsers cannot set headers on a WebSocket.
/// </summary>
public sealed class AdminKey(IOptions<SupervisorOptions> options)
{
    public bool Matches(string? given)
    {
        var expected = options.Value.AdminKey;
        // Compared in constant time over fixed-length hashes, so neither content nor length leaks through timing.
        return !string.IsNullOrEmpty(expected) && given is not null
            && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
    }

    public static string? FromHeader(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : null;
    }

    public static IResult Unauthorized() => TypedResults.Problem(
        statusCode: StatusCodes.Status401Unauthorized,
        title: "Unauthorized",
        detail: "The admin key is missing or wrong: send Authorization: Bearer <admin key>.");
}

public sealed class AdminKeyFilter(AdminKey adminKey) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        adminKey.Matches(AdminKey.FromHeader(context.HttpContext.Request)) ? await next(context) : AdminKey.Unauthorized();
}
