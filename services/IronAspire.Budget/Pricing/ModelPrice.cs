namespace IronAspire.Budget.Pricing;

/// <summary>USD per million tokens.</summary>
public sealed record ModelPrice(decimal Input, decimal CachedInput, decimal Output)
{
    /// <summary>Cost in nano-USD, rounded up (a budget never undercounts).</summary>
    public long CostNanos(long inputTokens, long cachedInputTokens, long outputTokens)
    {
        var cached = Math.Clamp(cachedInputTokens, 0, inputTokens);
        // USD per million tokens × tokens = micro-USD; × 1000 = nano-USD.
        var microUsd = (inputTokens - cached) * Input + cached * CachedInput + outputTokens * Output;
        return (long)Math.Ceiling(microUsd * 1000m);
    }
}
