using IronAspire.Contracts.Agents;

namespace IronAspire.AgentSupervisor.Apis;

/// <summary>POST /v1/agents. Without a command it registers an external agent (a key and a budget for an application running elsewhere).</summary>
public sealed record CreateAgentRequest(
    string? Name,
    string? Command,
    List<string>? Args,
    string? WorkingDirectory,
    Dictionary<string, string>? Env,
    decimal? BudgetUsd,
    string? ProjectId,
    string? Restart,
    int? MaxRestarts,
    List<string>? Models = null,
    string? BudgetPeriod = null,
    AgentLimits? Limits = null);

/// <summary>PATCH /v1/agents/{id}: what changes (absent: unchanged). <c>limits</c> replaces the agent's rate limits whole
/// (a limit left out is removed; <c>{}</c> removes them all); it applies to the agent's keys at once.</summary>
public sealed record UpdateAgentRequest(AgentLimits? Limits);

/// <summary>The agent key appears here only; it is stored as a hash.</summary>
public sealed record CreatedAgent(string Id, string Name, string State, string ApiKey, string RouterBaseUrl, string OpenAIBaseUrl, string AnthropicBaseUrl);

/// <summary>
/// PUT /v1/agents/{id}/budget: the new limit in USD (<c>budgetUsd</c>, or <c>limitUsd</c> as the Budget service names it)
/// and optionally a new period (lifetime, daily, monthly; absent: unchanged).
/// </summary>
public sealed record SetBudgetRequest(decimal? BudgetUsd, decimal? LimitUsd, string? Period = null);

/// <summary>PUT /v1/agents/{id}/models: the models (names or '*' patterns) the agent may call; empty: every model.</summary>
public sealed record SetModelsRequest(List<string>? Models);

/// <summary>POST /v1/agents/{id}/key: the agent's new key, shown only here; the previous one no longer works.</summary>
public sealed record RotatedKey(string Id, string ApiKey);

public sealed record BudgetView(decimal Limit, decimal Spent, decimal Reserved, decimal Remaining, string Period);

public sealed record AgentView(
    string Id,
    string Name,
    string? ProjectId,
    bool External,
    string? Command,
    IReadOnlyList<string> Args,
    IReadOnlyList<string> Models,
    AgentLimits? Limits,
    string State,
    string? Reason,
    int? Pid,
    DateTimeOffset? StartedAt,
    DateTimeOffset? EndedAt,
    int? ExitCode,
    int Restarts,
    string Restart,
    int MaxRestarts,
    BudgetView? Budget,
    long Requests,
    long Failures,
    long InputTokens,
    long OutputTokens,
    long Tokens,
    decimal CostUsd,
    IReadOnlyDictionary<string, int> PiiByType,
    DateTimeOffset? LastActivity,
    long RateLimited,
    DateTimeOffset CreatedAt);

/// <summary>GET /v1/router: where agents reach the Router (the Anthropic SDK appends /v1/messages itself).</summary>
public sealed record RouterView(string RouterBaseUrl, string OpenAIBaseUrl, string AnthropicBaseUrl)
{
    public static RouterView Of(string routerBaseUrl) => new(routerBaseUrl, routerBaseUrl + "/v1", routerBaseUrl);
}

/// <summary>GET /v1/agents/{id}/calls: a page of the agent's call log from Analytics; <see cref="Next"/> continues with older calls.</summary>
public sealed record CallsView(string AgentId, IReadOnlyList<IronAspire.Contracts.Analytics.CallEntry> Calls, string? Next);

public sealed record LogsView(string AgentId, IReadOnlyList<LogLine> Lines);

public sealed record ActivityView(IReadOnlyList<ModelSpendSnapshot> Models, IReadOnlyList<CircuitStatus> Circuits);
