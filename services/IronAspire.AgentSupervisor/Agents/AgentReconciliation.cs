namespace IronAspire.AgentSupervisor.Agents;

/// <summary>
/// At start (after the database migration): agent keys are written to Redis again from PostgreSQL, and agents left
/// running by a previous Supervisor are reconciled. Runs in StartAsync so the API only answers once it is done.
/// At stop, the agents are stopped while the services they need (database, Redis) are still there.
/// </summary>
public sealed class AgentReconciliation(AgentRunner runner) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => runner.ReconcileAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => runner.StopAllAsync();
}
