using IronAspire.Contracts.Agents;

namespace IronAspire.AgentSupervisor.Agents;

/// <summary>A validated request to create an agent.</summary>
public sealed record NewAgent(
    string Name,
    string? Command,
    List<string> Args,
    string? WorkingDirectory,
    Dictionary<string, string> Env,
    decimal BudgetUsd,
    string? ProjectId,
    RestartPolicy Restart,
    int MaxRestarts,
    List<string> Models,
    string? BudgetPeriod = null,
    AgentLimits? Limits = null);

public enum StartRefusal
{
    None,
    NotFound,
    Conflict,
}

public sealed record StartResult(AgentRecord? Agent, StartRefusal Refusal, string? Detail);
