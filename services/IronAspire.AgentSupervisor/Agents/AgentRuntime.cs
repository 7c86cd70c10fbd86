namespace IronAspire.AgentSupervisor.Agents;

/// <summary>What the Supervisor holds in memory for one agent: its gate, its current process, its logs, a pending restart.</summary>
internal sealed class AgentRuntime
{
    public AgentGate Gate { get; } = new();
    public AgentProcess? Process { get; set; }
    public AgentLogs? Logs { get; set; }

    /// <summary>Set while a stop is under way: the state to record once the process group is gone.</summary>
    public (AgentState State, string Reason)? StopTarget { get; set; }

    public CancellationTokenSource? RestartCancellation { get; set; }

    public void CancelRestart()
    {
        RestartCancellation?.Cancel();
        RestartCancellation = null;
    }
}

/// <summary>An async mutex: one transition of an agent at a time.</summary>
internal sealed class AgentGate
{
    private readonly SemaphoreSlim _semaphore = new(1, 1);

    public async Task<IDisposable> LockAsync(CancellationToken cancellationToken)
    {
        await _semaphore.WaitAsync(cancellationToken);
        return new Release(_semaphore);
    }

    private sealed class Release(SemaphoreSlim semaphore) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                semaphore.Release();
            }
        }
    }
}
