using IronAspire.AgentSupervisor.Apis;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Microsoft.AspNetCore.Builder;

/// <summary>/v1/alerts: the notices the console shows until an operator acknowledges them (also pushed as alert.* on /v1/events).</summary>
public static class AlertsApi
{
    public static IEndpointRouteBuilder MapAlertsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1/alerts").WithTags("Alerts").AddEndpointFilter<AdminKeyFilter>();
        api.MapGet("/", List).WithName("alerts.list")
            .WithSummary("Budget thresholds, exhausted budgets, open circuits and failed agents, newest first; unacknowledged only unless all=true");
        api.MapPost("/{id}/acknowledge", Acknowledge).WithName("alerts.acknowledge").WithSummary("Acknowledge a notice: it leaves the open list");
        return app;
    }

    private static Ok<IReadOnlyList<Alert>> List(bool? all, AlertBook alerts) => TypedResults.Ok(alerts.List(all ?? false));

    private static Results<Ok<Alert>, ProblemHttpResult> Acknowledge(string id, AlertBook alerts) =>
        alerts.Acknowledge(id) is { } alert
            ? TypedResults.Ok(alert)
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Alert not found", detail: $"There is no alert '{id}'.");
}
