namespace IronAspire.Budget.Pricing;

/// <summary>
/// USD per million tokens. <paramref name="CacheWriteInput"/> is what a token written to a prompt cache costs
/// (Anthropic: 1.25 × input; OpenAI: the input price). <paramref name="LongContext"/>, when set, prices the whole call
/// once its input exceeds <see cref="LongContextPrice.AboveInputTokens"/> (Claude Sonnet 4 beyond 200K tokens).
/// </summary>
public sealed record ModelPrice(decimal Input, decimal CachedInput, decimal CacheWriteInput, decimal Output, LongContextPrice? LongContext = null)
{
    /// <summary>The real cost of a call in nano-USD, rounded up (a budget never undercounts).</summary>
    public long CostNanos(long inputTokens, long cachedInputTokens, long cacheWriteInputTokens, long outputTokens)
    {
        if (LongContext is { } tier && inputTokens > tier.AboveInputTokens)
        {
            return tier.Price.CostNanos(inputTokens, cachedInputTokens, cacheWriteInputTokens, outputTokens);
        }

        var cached = Math.Clamp(cachedInputTokens, 0, inputTokens);
        var written = Math.Clamp(cacheWriteInputTokens, 0, inputTokens - cached);
        // USD per million tokens × tokens = micro-USD; × 1000 = nano-USD.
        var microUsd = (inputTokens - cached - written) * Input + cached * CachedInput + written * CacheWriteInput + outputTokens * Output;
        return (long)Math.Ceiling(microUsd * 1000m);
    }

    /// <summary>
    /// The most a call with at most this many input and output tokens can cost: every input token at the dearest input
    /// price (a cache write can cost more than a plain token), at the tier the bound falls in. Any real usage within
    /// the bounds costs no more, so a commit never exceeds its reservation.
    /// </summary>
    public long UpperBoundNanos(long inputTokens, long maxOutputTokens)
    {
        var price = LongContext is { } tier && inputTokens > tier.AboveInputTokens ? tier.Price : this;
        var microUsd = inputTokens * Math.Max(price.Input, price.CacheWriteInput) + maxOutputTokens * price.Output;
        return (long)Math.Ceiling(microUsd * 1000m);
    }
}

/// <summary>Prices that apply to a whole call when its input exceeds <paramref name="AboveInputTokens"/>.</summary>
public sealed record LongContextPrice(long AboveInputTokens, ModelPrice Price);
