using IronAspire.Budget.Budgets;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Limits and state of agent and project budgets.</summary>
public static class BudgetsApi
{
    public static IEndpointRouteBuilder MapBudgetsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/budgets/{agentId}", (string agentId, BudgetStore store) => Get("agent", agentId, store))
            .WithName("budgets.agent.get").WithTags("Budgets").WithSummary("An agent's limit, spent, reserved and remaining USD in the current period");
        app.MapPut("/v1/budgets/{agentId}", (string agentId, BudgetLimitRequest request, BudgetStore store) => Put("agent", agentId, request, store))
            .WithName("budgets.agent.put").WithTags("Budgets").WithSummary("Set an agent's limit and period (lifetime, daily, monthly)");
        app.MapGet("/v1/projects/{projectId}/budget", (string projectId, BudgetStore store) => Get("project", projectId, store))
            .WithName("budgets.project.get").WithTags("Budgets");
        app.MapPut("/v1/projects/{projectId}/budget", (string projectId, BudgetLimitRequest request, BudgetStore store) => Put("project", projectId, request, store))
            .WithName("budgets.project.put").WithTags("Budgets").WithSummary("Set a budget several agents share");
        app.MapGet("/v1/budget-events", (BudgetEvents events) => TypedResults.Ok(events.Recent.Select(e => new { type = e.GetType().Name, data = (object)e })))
            .WithName("budgets.events").WithTags("Budgets").WithSummary("Recent threshold and exhaustion events");
        return app;
    }

    private static async Task<IResult> Get(string scope, string id, BudgetStore store) =>
        await store.GetAsync(scope, id) is { } status
            ? TypedResults.Ok(status)
            : TypedResults.Problem(statusCode: 404, title: "No budget", detail: $"The {scope} '{id}' has no budget.");

    private static async Task<IResult> Put(string scope, string id, BudgetLimitRequest request, BudgetStore store)
    {
        if (BudgetValidation.Limit(request, out var period) is { } invalid)
        {
            return invalid;
        }

        await store.SetLimitAsync(scope, id, Nanos.FromUsd(request.LimitUsd), period);
        return TypedResults.Ok(await store.GetAsync(scope, id));
    }
}
