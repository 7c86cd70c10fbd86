using IronAspire.Contracts.Budget;

namespace IronAspire.AgentSupervisor.Budgets;

/// <summary><see cref="IAgentBudgets"/> over the Budget service's REST API.</summary>
public sealed class BudgetServiceBudgets(BudgetClient client, ILogger<BudgetServiceBudgets> logger) : IAgentBudgets
{
    public async Task<AgentBudget?> GetAsync(string agentId, CancellationToken cancellationToken = default)
    {
        try
        {
            return await client.GetAgentBudgetAsync(agentId, cancellationToken) is { } status ? ToBudget(status) : null;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // A read for display: the agent is still shown, with its budget unknown.
            logger.LogWarning(ex, "Budget of agent {AgentId} could not be read", agentId);
            return null;
        }
    }

    public async Task<AgentBudget> SetAsync(string agentId, decimal limitUsd, string? period, CancellationToken cancellationToken = default)
    {
        try
        {
            return ToBudget(await client.SetAgentBudgetAsync(agentId, new BudgetLimitRequest(limitUsd, period), cancellationToken));
        }
        catch (Exception ex) when (ex is HttpRequestException or ArgumentException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new BudgetUnavailableException($"The Budget service did not accept the limit: {ex.Message}", ex);
        }
    }

    private static AgentBudget ToBudget(BudgetStatus status) =>
        new(status.LimitUsd, status.SpentUsd, status.ReservedUsd, status.RemainingUsd, status.Period);
}
