namespace IronAspire.Router.Proxy;

/// <summary>Tokens a call used, as the provider reported them (or, for a cut stream, as the Router counted them).</summary>
public readonly record struct TokenUsage(long InputTokens, long CachedInputTokens, long OutputTokens)
{
    public static readonly TokenUsage None = default;
}
