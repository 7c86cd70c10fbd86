namespace IronAspire.AgentSupervisor.Agents;

/// <summary>
/// Lifecycle of a supervised agent. Exited: ended by itself with code 0. Failed: ended with a non-zero code or a signal,
/// or could not be started. Lost: it was running when the Supervisor went away and its process could not be followed.
/// External agents (no command) stay Pending: they run elsewhere and only hold a key and a budget.
/// Revoked: its keys were revoked (POST /v1/agents/{id}/revoke); final, the record and its history stay.
/// </summary>
public enum AgentState
{
    Pending,
    Starting,
    Running,
    Stopping,
    Stopped,
    Exited,
    Failed,
    BudgetExhausted,
    Lost,
    Revoked,
}

public enum RestartPolicy
{
    Never,
    OnFailure,
}

public static class AgentStates
{
    /// <summary>States in which a process may exist.</summary>
    public static bool IsActive(this AgentState state) => state is AgentState.Starting or AgentState.Running or AgentState.Stopping;

    public static string ToWire(this RestartPolicy policy) => policy == RestartPolicy.OnFailure ? "on-failure" : "never";

    public static RestartPolicy? ParseRestart(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        null or "" or "never" or "no" => RestartPolicy.Never,
        "on-failure" or "onfailure" => RestartPolicy.OnFailure,
        _ => null,
    };
}
