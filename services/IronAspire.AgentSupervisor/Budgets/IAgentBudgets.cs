namespace IronAspire.AgentSupervisor.Budgets;

/// <summary>The agent budgets the Supervisor reads and sets; the Budget service owns them.</summary>
public interface IAgentBudgets
{
    /// <summary>The agent's budget in its current period; null when it has none or the Budget service cannot be reached.</summary>
    Task<AgentBudget?> GetAsync(string agentId, CancellationToken cancellationToken = default);

    /// <summary>Sets the limit and the period (lifetime, daily, monthly; null: lifetime, as the Budget service defaults).</summary>
    /// <exception cref="BudgetUnavailableException">The Budget service cannot be reached.</exception>
    /// <exception cref="BudgetRejectedException">The Budget service refused the limit as invalid (a 400).</exception>
    Task<AgentBudget> SetAsync(string agentId, decimal limitUsd, string? period, CancellationToken cancellationToken = default);
}

public sealed record AgentBudget(decimal Limit, decimal Spent, decimal Reserved, decimal Remaining, string Period);

public sealed class BudgetUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

public sealed class BudgetRejectedException(string message, Exception? inner = null) : Exception(message, inner);
