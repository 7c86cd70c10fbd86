using System.ComponentModel.DataAnnotations;
using IronAspire.Budget.Pricing;

namespace IronAspire.Budget;

/// <summary>Settings of the Budget service (section <c>Budget</c>), validated at start.</summary>
public sealed class BudgetOptions
{
    public const string SectionName = "Budget";

    /// <summary>Limit of an agent that has no budget of its own. Unset: such an agent is refused (no budget, no calls).</summary>
    [Range(0, 1_000_000)]
    public decimal? DefaultAgentLimitUsd { get; set; }

    /// <summary>Lifetime of a reservation when the caller names none; must exceed the caller's longest call.</summary>
    [Range(1, 86_400)]
    public int ReservationTtlSeconds { get; set; } = 900;

    /// <summary>
    /// When Redis cannot be reached: refuse reservations with 503 (false, the default), or let calls through without a
    /// budget check (true): their commits go straight to the ledger and Redis is rebuilt from it once it is back.
    /// </summary>
    public bool FailOpen { get; set; }

    /// <summary>The smallest useful call, in tokens, on <see cref="CheapestCallModel"/>: a budget whose remainder cannot
    /// pay for it is exhausted (BudgetExhausted).</summary>
    [Range(1, 1_000_000)]
    public int CheapestCallInputTokens { get; set; } = 50;

    [Range(0, 1_000_000)]
    public int CheapestCallOutputTokens { get; set; } = 10;

    /// <summary>The model the cheapest call is priced on; unset: the cheapest priced model with an output price.</summary>
    public string? CheapestCallModel { get; set; }

    [Range(0.05, 3600)]
    public double SweepIntervalSeconds { get; set; } = 1;

    /// <summary>
    /// How long a reservation waits for Redis before it fails closed (503 <c>budget_unavailable</c>): a stalled Redis
    /// refuses calls within this time instead of after the client's own timeouts. What the abandoned script reserves
    /// once Redis answers again is released at once.
    /// </summary>
    [Range(50, 60_000)]
    public int ReserveTimeoutMs { get; set; } = 2000;

    public Dictionary<string, PriceSetting> Prices { get; set; } = [];

    public PriceSetting? DefaultPrice { get; set; }
}

/// <summary>A price in configuration, USD per million tokens; cached and cache-write input default to the input price.</summary>
public sealed class PriceSetting
{
    [Range(0, 100_000)]
    public decimal Input { get; set; }

    [Range(0, 100_000)]
    public decimal? CachedInput { get; set; }

    [Range(0, 100_000)]
    public decimal? CacheWriteInput { get; set; }

    [Range(0, 100_000)]
    public decimal Output { get; set; }

    public ModelPrice ToModelPrice() => new(Input, CachedInput ?? Input, CacheWriteInput ?? Input, Output);
}
