using IronAspire.Contracts.Agents;

namespace IronAspire.AgentSupervisor.Data;

/// <summary>One agent as stored in <c>supervisordb</c>: its definition, its key's hash and its last known process state.</summary>
public sealed class AgentRecord
{
    public required string Id { get; set; }
    public required string Name { get; set; }
    public string? ProjectId { get; set; }

    /// <summary>Null for an external agent (a key and a budget for an application running elsewhere).</summary>
    public string? Command { get; set; }
    public List<string> Args { get; set; } = [];
    public string? WorkingDirectory { get; set; }
    public Dictionary<string, string> Env { get; set; } = [];

    /// <summary>The models the agent may use (glob patterns); empty: every model the Router's providers serve.</summary>
    public List<string> Models { get; set; } = [];

    /// <summary>Rate limits the Router enforces (null: none), written to the agent's key records.</summary>
    public int? RequestsPerMinute { get; set; }
    public long? TokensPerMinute { get; set; }
    public int? MaxConcurrent { get; set; }

    public AgentLimits? Limits => new AgentLimits(RequestsPerMinute, TokensPerMinute, MaxConcurrent) is { IsEmpty: false } limits ? limits : null;

    public RestartPolicy Restart { get; set; }
    public int MaxRestarts { get; set; }

    /// <summary>SHA-256 of the agent key (AgentKeyFormat.Hash); the key itself is never stored.</summary>
    public required string KeyHash { get; set; }

    /// <summary>Hash of the key of the current run (each run of a supervised agent gets a fresh key; revoked when it ends).</summary>
    public string? RunKeyHash { get; set; }

    public AgentState State { get; set; }
    public string? Reason { get; set; }
    public int? Pid { get; set; }

    /// <summary>The process's start time in clock ticks since boot (/proc/pid/stat), so a reused pid is never mistaken for ours.</summary>
    public long? ProcessStartTicks { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
    public int? ExitCode { get; set; }

    /// <summary>Restarts since the operator last started it (reset by an explicit start).</summary>
    public int Restarts { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    public bool IsExternal => Command is null;
}
