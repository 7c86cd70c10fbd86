using IronAspire.AgentSupervisor.Apis;
using IronAspire.AgentSupervisor.Budgets;
using IronAspire.Contracts.Analytics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Microsoft.AspNetCore.Builder;

/// <summary>The control API: agents, their processes, budgets and logs. Every route needs the admin key.</summary>
public static class AgentsApi
{
    public static IEndpointRouteBuilder MapAgentsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1").WithTags("Agents").AddEndpointFilter<AdminKeyFilter>();
        api.MapPost("/agents", Create).WithName("agents.create")
            .WithSummary("Create an agent: a key, a budget and, with a command, a supervised process started at once");
        api.MapGet("/agents", List).WithName("agents.list").WithSummary("Every agent with its state, budget and activity");
        api.MapGet("/agents/{id}", Get).WithName("agents.get").WithSummary("One agent with its state, budget and activity");
        api.MapPost("/agents/{id}/start", Start).WithName("agents.start").WithSummary("Start a stopped agent");
        api.MapPost("/agents/{id}/stop", Stop).WithName("agents.stop")
            .WithSummary("Stop an agent: SIGTERM to its process group, SIGKILL after the grace period");
        api.MapPost("/agents/{id}/restart", Restart).WithName("agents.restart")
            .WithSummary("Stop the agent if it runs, then start it again");
        api.MapPut("/agents/{id}/models", SetModels).WithName("agents.models")
            .WithSummary("Replace the models the agent may call (names or '*' patterns; empty: every model); applies to its next call");
        api.MapPost("/agents/{id}/key", RotateKey).WithName("agents.key.rotate")
            .WithSummary("Rotate the agent's key: a new key is returned once and the old one is refused by the Router from now on");
        api.MapPatch("/agents/{id}", Update).WithName("agents.update")
            .WithSummary("Change an agent: its rate limits (requestsPerMinute, tokensPerMinute, maxConcurrent), applied to its keys at once");
        api.MapPut("/agents/{id}/budget", SetBudget).WithName("agents.budget")
            .WithSummary("Set the agent's budget limit (and optionally its period); raising an exhausted budget lets it be started again");
        api.MapGet("/agents/{id}/logs", Logs).WithName("agents.logs").WithSummary("The last lines of the agent's stdout and stderr");
        api.MapPost("/agents/{id}/revoke", Revoke).WithName("agents.revoke")
            .WithSummary("Revoke the agent's keys for good (stopping it if it runs); the record, its budget and its history stay");
        api.MapGet("/agents/{id}/calls", Calls).WithName("agents.calls")
            .WithSummary("The agent's recorded calls from Analytics, newest first (limit 1-1000, default 100; cursor: a page's next)");
        api.MapGet("/router", Router).WithName("router")
            .WithSummary("Where agents reach the Router: its base URL, the OpenAI base URL (…/v1) and the Anthropic base URL");
        api.MapDelete("/agents/{id}", Delete).WithName("agents.delete").WithSummary("Stop the agent and revoke its key");
        api.MapGet("/activity", Activity).WithName("activity")
            .WithSummary("Spend per model and provider circuit states seen on the bus since the Supervisor started");
        return app;
    }

    private static async Task<Results<Created<CreatedAgent>, ValidationProblem, ProblemHttpResult>> Create(
        CreateAgentRequest request, AgentRunner runner, CancellationToken cancellationToken)
    {
        if (AgentValidation.Validate(request, runner.AgentUser, out var errors) is not { } agent)
        {
            return TypedResults.ValidationProblem(errors);
        }

        try
        {
            var (created, apiKey) = await runner.CreateAsync(agent, cancellationToken);
            var router = RouterView.Of(runner.RouterBaseUrl);
            return TypedResults.Created($"/v1/agents/{created.Id}", new CreatedAgent(created.Id, created.Name, created.State.ToString(), apiKey,
                router.RouterBaseUrl, router.OpenAIBaseUrl, router.AnthropicBaseUrl));
        }
        catch (BudgetRejectedException ex)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Budget refused", detail: ex.Message);
        }
        catch (BudgetUnavailableException ex)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Budget service unavailable", detail: ex.Message);
        }
    }

    private static async Task<Ok<AgentView[]>> List(SupervisorDbContext db, IAgentBudgets budgets, AgentActivity activity, CancellationToken cancellationToken)
    {
        var agents = await db.Agents.AsNoTracking().OrderBy(a => a.CreatedAt).ToListAsync(cancellationToken);
        return TypedResults.Ok(await Task.WhenAll(agents.Select(a => ViewAsync(a, budgets, activity, cancellationToken))));
    }

    private static async Task<Results<Ok<AgentView>, ProblemHttpResult>> Get(string id, SupervisorDbContext db, IAgentBudgets budgets,
        AgentActivity activity, CancellationToken cancellationToken) =>
        await db.Agents.AsNoTracking().FirstOrDefaultAsync(a => a.Id == id, cancellationToken) is { } agent
            ? TypedResults.Ok(await ViewAsync(agent, budgets, activity, cancellationToken))
            : NotFound(id);

    private static async Task<Results<Ok<AgentView>, ProblemHttpResult>> Start(string id, AgentRunner runner, IAgentBudgets budgets,
        AgentActivity activity, CancellationToken cancellationToken)
    {
        return await StartedAsync(id, await runner.StartAsync(id, cancellationToken), budgets, activity, cancellationToken);
    }

    private static async Task<Results<Ok<AgentView>, ProblemHttpResult>> StartedAsync(string id, StartResult result, IAgentBudgets budgets,
        AgentActivity activity, CancellationToken cancellationToken) => result.Refusal switch
        {
            StartRefusal.NotFound => NotFound(id),
            StartRefusal.Conflict => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The agent cannot be started", detail: result.Detail),
            _ => TypedResults.Ok(await ViewAsync(result.Agent!, budgets, activity, cancellationToken)),
        };

    private static async Task<Results<Ok<AgentView>, ProblemHttpResult>> Restart(string id, AgentRunner runner, IAgentBudgets budgets,
        AgentActivity activity, CancellationToken cancellationToken) =>
        await StartedAsync(id, await runner.RestartAsync(id, cancellationToken), budgets, activity, cancellationToken);

    private static async Task<Results<Ok<AgentView>, ValidationProblem, ProblemHttpResult>> SetModels(string id, SetModelsRequest request,
        AgentRunner runner, IAgentBudgets budgets, AgentActivity activity, CancellationToken cancellationToken)
    {
        if (AgentValidation.Models(request, out var errors) is not { } models)
        {
            return TypedResults.ValidationProblem(errors);
        }

        return await runner.SetModelsAsync(id, models, cancellationToken) is { } agent
            ? TypedResults.Ok(await ViewAsync(agent, budgets, activity, cancellationToken))
            : NotFound(id);
    }

    private static async Task<Results<Ok<RotatedKey>, ProblemHttpResult>> RotateKey(string id, AgentRunner runner, CancellationToken cancellationToken) =>
        await runner.RotateKeyAsync(id, cancellationToken) switch
        {
            null => NotFound(id),
            { ApiKey: { } apiKey } => TypedResults.Ok(new RotatedKey(id, apiKey)),
            _ => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Agent revoked",
                detail: "The agent's keys were revoked for good; it gets no new key."),
        };

    private static async Task<Results<Ok<AgentView>, ProblemHttpResult>> Stop(string id, AgentRunner runner, IAgentBudgets budgets,
        AgentActivity activity, CancellationToken cancellationToken) =>
        await runner.StopAsync(id, cancellationToken) is { } agent
            ? TypedResults.Ok(await ViewAsync(agent, budgets, activity, cancellationToken))
            : NotFound(id);

    private static async Task<Results<Ok<AgentView>, ValidationProblem, ProblemHttpResult>> Update(string id, UpdateAgentRequest request,
        AgentRunner runner, IAgentBudgets budgets, AgentActivity activity, CancellationToken cancellationToken)
    {
        if (AgentValidation.Update(request, out var errors) is not { } limits)
        {
            return TypedResults.ValidationProblem(errors);
        }

        return await runner.SetLimitsAsync(id, limits, cancellationToken) is { } agent
            ? TypedResults.Ok(await ViewAsync(agent, budgets, activity, cancellationToken))
            : NotFound(id);
    }

    private static async Task<Results<Ok<BudgetView>, ValidationProblem, ProblemHttpResult>> SetBudget(string id, SetBudgetRequest request,
        AgentRunner runner, CancellationToken cancellationToken)
    {
        if (AgentValidation.Budget(request, out var errors) is not { } limit)
        {
            return TypedResults.ValidationProblem(errors);
        }

        try
        {
            return await runner.SetBudgetAsync(id, limit, request.Period?.ToLowerInvariant(), cancellationToken) is { } budget
                ? TypedResults.Ok(ToView(budget))
                : NotFound(id);
        }
        catch (BudgetRejectedException ex)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Budget refused", detail: ex.Message);
        }
        catch (BudgetUnavailableException ex)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Budget service unavailable", detail: ex.Message);
        }
    }

    private static async Task<Results<Ok<LogsView>, ValidationProblem, ProblemHttpResult>> Logs(string id, int? tail, SupervisorDbContext db,
        AgentRunner runner, CancellationToken cancellationToken)
    {
        if (tail is < 1 or > 10_000)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["tail"] = ["tail is between 1 and 10000."] });
        }

        var agent = await db.Agents.AsNoTracking().FirstOrDefaultAsync(a => a.Id == id, cancellationToken);
        return agent is null ? NotFound(id) : TypedResults.Ok(new LogsView(id, runner.Logs(agent, tail ?? 100)));
    }

    private static async Task<Results<Ok<AgentView>, ProblemHttpResult>> Revoke(string id, AgentRunner runner, IAgentBudgets budgets,
        AgentActivity activity, CancellationToken cancellationToken) =>
        await runner.RevokeAsync(id, cancellationToken) is { } agent
            ? TypedResults.Ok(await ViewAsync(agent, budgets, activity, cancellationToken))
            : NotFound(id);

    private static async Task<Results<Ok<CallsView>, ValidationProblem, ProblemHttpResult>> Calls(string id, int? limit, string? cursor,
        SupervisorDbContext db, AnalyticsClient analytics, ILogger<AnalyticsClient> logger, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > 1000)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = ["limit is between 1 and 1000."] });
        }

        if (!await db.Agents.AnyAsync(a => a.Id == id, cancellationToken))
        {
            return NotFound(id);
        }

        try
        {
            var page = await analytics.CallsAsync(id, limit ?? 100, cursor, cancellationToken);
            return TypedResults.Ok(new CallsView(id, page.Items, page.Next));
        }
        catch (HttpRequestException ex) when (ex.StatusCode == System.Net.HttpStatusCode.BadRequest)
        {
            // The only parameter Analytics can refuse here is the cursor (limit and id are checked above).
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["cursor"] = ["cursor is not one this API returned (take it from a page's next)."] });
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Calls of agent {AgentId} could not be read from Analytics", id);
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Analytics unavailable",
                detail: "The Analytics service could not be reached; the calls are recorded there and can be read once it is back.");
        }
    }

    private static Ok<RouterView> Router(AgentRunner runner) => TypedResults.Ok(RouterView.Of(runner.RouterBaseUrl));

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(string id, AgentRunner runner, CancellationToken cancellationToken) =>
        await runner.DeleteAsync(id, cancellationToken) ? TypedResults.NoContent() : NotFound(id);

    private static Ok<ActivityView> Activity(AgentActivity activity) => TypedResults.Ok(new ActivityView(activity.Models(), activity.Circuits()));

    private static async Task<AgentView> ViewAsync(AgentRecord agent, IAgentBudgets budgets, AgentActivity activity, CancellationToken cancellationToken)
    {
        var budget = await budgets.GetAsync(agent.Id, cancellationToken);
        var seen = activity.Snapshot(agent.Id);
        return new AgentView(agent.Id, agent.Name, agent.ProjectId, agent.IsExternal, agent.Command, agent.Args, agent.Models, agent.Limits, agent.State.ToString(),
            agent.Reason, agent.State.IsActive() ? agent.Pid : null, agent.StartedAt, agent.EndedAt, agent.ExitCode, agent.Restarts,
            agent.Restart.ToWire(), agent.MaxRestarts, budget is null ? null : ToView(budget), seen.Requests, seen.Failures,
            seen.InputTokens, seen.OutputTokens, seen.InputTokens + seen.OutputTokens, seen.CostUsd, seen.PiiByType, seen.LastActivity, seen.RateLimited,
            agent.CreatedAt);
    }

    private static BudgetView ToView(AgentBudget budget) => new(budget.Limit, budget.Spent, budget.Reserved, budget.Remaining, budget.Period);

    internal static ProblemHttpResult NotFound(string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Agent not found", detail: $"There is no agent '{id}'.");
}
