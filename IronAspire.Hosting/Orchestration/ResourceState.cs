namespace IronAspire.Hosting.Orchestration;

/// <summary>Lifecycle of a resource as the orchestrator reports it (the Aspire dashboard's states).</summary>
public enum ResourceState
{
    NotStarted,
    Waiting,
    Starting,
    Running,
    Exited,
    FailedToStart,
    Stopping,
    Finished,
}

/// <summary>One row of the resources table and of resources.json.</summary>
public sealed record ResourceSnapshot(string Name, string Type, string? Url, int? Pid, string State, int? ExitCode, int Restarts);
