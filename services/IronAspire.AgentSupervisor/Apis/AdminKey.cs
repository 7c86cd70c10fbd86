using Microsoft.Extensions.Options;

namespace IronAspire.AgentSupervisor.Apis;

/// <summary>
/// The operator's key. APIs take it as <c>Authorization: Bearer {key}</c>; the WebSocket also as <c>?access_token={key}</c>,
/// because browsers cannot set headers on a WebSocket.
/// </summary>
public sealed class AdminKey(IOptions<SupervisorOptions> options)
{
    public bool Matches(string? given) => ServiceCredentials.Matches(given, options.Value.AdminKey);

    public static string? FromHeader(HttpRequest request) => ServiceCredentials.BearerToken(request);

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
