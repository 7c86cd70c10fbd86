using System.Text;
using System.Text.RegularExpressions;
using IronAspire.AgentSupervisor.Apis;
using IronAspire.Contracts.Analytics;

namespace Microsoft.AspNetCore.Builder;

/// <summary>
/// GET /v1/analytics/*: Analytics' query API (docs/analytics.md) behind the admin key, so the console (and any operator
/// tool) reads spend, timeseries and the call log from the Supervisor's origin with one key. Analytics' answer, error or
/// not, is passed on as it is; Analytics unreachable is a 503.
/// </summary>
public static partial class AnalyticsPassthroughApi
{
    public static IEndpointRouteBuilder MapAnalyticsPassthroughApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/analytics/{**path}", Forward).WithTags("Analytics").WithName("analytics.read").AddEndpointFilter<AdminKeyFilter>()
            .WithSummary("Analytics' query API (summary, agents, models, timeseries, timeseries/breakdown, calls, calls/{eventId}, failures, events) with the admin key")
            .Produces(StatusCodes.Status200OK, contentType: "application/json")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    private static async Task<IResult> Forward(string path, HttpRequest request, AnalyticsClient analytics, ILogger<AnalyticsClient> logger,
        CancellationToken cancellationToken)
    {
        if (!QueryPath().IsMatch(path))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not an analytics query",
                detail: $"'/v1/analytics/{path}' is not a path of Analytics' query API.");
        }

        try
        {
            using var response = await analytics.GetAsync($"/v1/analytics/{path}{request.QueryString}", cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            return TypedResults.Content(body, response.Content.Headers.ContentType?.MediaType ?? "application/json", Encoding.UTF8, (int)response.StatusCode);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Analytics could not be read for {Path}", path);
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Analytics unavailable",
                detail: "The Analytics service did not answer; spend history, charts and the call log are unavailable until it does.");
        }
    }

    // Lower-case words, GUIDs and slashes: the query API's routes, never a way out of /v1/analytics.
    [GeneratedRegex("^[a-z0-9-]+(/[a-zA-Z0-9-]+)*$")]
    private static partial Regex QueryPath();
}
