using IronAspire.Contracts.Budget;
using Microsoft.Extensions.Options;

namespace IronAspire.AgentSupervisor.Budgets;

/// <summary><see cref="IAgentBudgets"/> over the Budget service's REST API.</summary>
public sealed class BudgetServiceBudgets(BudgetClient client, IOptions<SupervisorOptions> options, ILogger<BudgetServiceBudgets> logger) : IAgentBudgets
{
    public async Task<AgentBudget?> GetAsync(string agentId, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.BudgetReadTimeout);
        try
        {
            // The wait ends at the deadline even if the handler under the client answers cancellation late (an
            // in-process handler waits for the Budget service's own Redis timeout).
            return await client.GetAgentBudgetAsync(agentId, timeout.Token).WaitAsync(options.Value.BudgetReadTimeout, cancellationToken) is { } status
                ? ToBudget(status)
                : null;
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or TimeoutException && !cancellationToken.IsCancellationRequested)
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
        catch (ArgumentException ex)
        {
            // The Budget service's 400: the caller's input, not an outage.
            throw new BudgetRejectedException($"The Budget service refused the limit: {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new BudgetUnavailableException($"The Budget service did not accept the limit: {ex.Message}", ex);
        }
    }

    private static AgentBudget ToBudget(BudgetStatus status) =>
        new(status.LimitUsd, status.SpentUsd, status.ReservedUsd, status.RemainingUsd, status.Period);
}
