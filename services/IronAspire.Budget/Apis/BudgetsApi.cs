using IronAspire.Budget.Budgets;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Limits and state of agent and project budgets.</summary>
public static class BudgetsApi
{
    public static IEndpointRouteBuilder MapBudgetsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1").WithTags("Budgets");
        api.MapGet("/budgets/{agentId}", (string agentId, BudgetStore store) => Get("agent", agentId, store))
            .WithName("budgets.agent.get").WithSummary("An agent's limit, spent, reserved and remaining USD in the current period");
        api.MapPut("/budgets/{agentId}", (string agentId, BudgetLimitRequest request, BudgetStore store) => Put("agent", agentId, request, store))
            .WithName("budgets.agent.put").WithSummary("Set an agent's limit and period (lifetime, daily, monthly); raising it unblocks at once");
        api.MapGet("/projects/{projectId}/budget", (string projectId, BudgetStore store) => Get("project", projectId, store))
            .WithName("budgets.project.get").WithSummary("A project budget's limit, spent, reserved and remaining USD");
        api.MapPut("/projects/{projectId}/budget", (string projectId, BudgetLimitRequest request, BudgetStore store) => Put("project", projectId, request, store))
            .WithName("budgets.project.put").WithSummary("Set a budget several agents share");
        api.MapGet("/budget-events", (BudgetEvents events) => TypedResults.Ok(events.Recent.Select(e => new { type = e.GetType().Name, data = (object)e })))
            .WithName("budgets.events").WithSummary("Recent threshold and exhaustion events (the last 1000)");
        return app;
    }

    private static async Task<IResult> Get(string scope, string id, BudgetStore store) =>
        await store.GetAsync(scope, id) is { } status
            ? TypedResults.Ok(status)
            : TypedResults.Problem(statusCode: 404, title: "No budget", detail: $"The {scope} '{id}' has no budget.",
                extensions: new Dictionary<string, object?> { ["code"] = "budget_not_found" });

    private static async Task<IResult> Put(string scope, string id, BudgetLimitRequest request, BudgetStore store)
    {
        if (BudgetValidation.Limit(id, request, out var period) is { } invalid)
        {
            return invalid;
        }

        await store.SetLimitAsync(scope, id, Nanos.FromUsd(request.LimitUsd!.Value), period);
        return TypedResults.Ok(await store.GetAsync(scope, id));
    }
}
