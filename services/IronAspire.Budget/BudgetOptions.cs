using System.ComponentModel.DataAnnotations;

namespace IronAspire.Budget;

/// <summary>Settings of the Budget service (section <c>Budget</c>), validated at start.</summary>
public sealed class BudgetOptions
{
    public const string SectionName = "Budget";

    /// <summary>Limit of an agent that has no budget of its own. Unset: such an agent is refused (no budget, no calls).</summary>
    [Range(0, 1_000_000)]
    public decimal? DefaultAgentLimitUsd { get; set; }

    /// <summary>Lifetime of a reservation when the caller names none; must exceed the Router's longest call.</summary>
    [Range(1, 86_400)]
    public int ReservationTtlSeconds { get; set; } = 900;

    /// <summary>When Redis cannot be reached: refuse reservations (false, default) or let calls through unbudgeted.</summary>
    public bool FailOpen { get; set; }

    /// <summary>The smallest call an agent makes, in tokens, on the cheapest model: below its cost a budget is exhausted.</summary>
    [Range(1, 1_000_000)]
    public int CheapestCallInputTokens { get; set; } = 50;

    [Range(0, 1_000_000)]
    public int CheapestCallOutputTokens { get; set; } = 10;

    [Range(0.05, 3600)]
    public double SweepIntervalSeconds { get; set; } = 1;

    public Dictionary<string, PriceSetting> Prices { get; set; } = [];

    public PriceSetting? DefaultPrice { get; set; }
}

public sealed class PriceSetting
{
    [Range(0, 100_000)]
    public decimal Input { get; set; }

    [Range(0, 100_000)]
    public decimal? CachedInput { get; set; }

    [Range(0, 100_000)]
    public decimal Output { get; set; }
}
