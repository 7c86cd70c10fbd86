namespace IronAspire.Router.Proxy;

/// <summary>
/// Tokens a call used, as the provider reported them (or, for a cut stream, as the Router counted them).
/// <see cref="InputTokens"/> counts every input token, including those read from (<see cref="CachedInputTokens"/>)
/// and written to (<see cref="CacheWriteInputTokens"/>) a prompt cache, which are priced differently.
/// </summary>
public readonly record struct TokenUsage(long InputTokens, long CachedInputTokens, long OutputTokens, long CacheWriteInputTokens = 0)
{
    public static readonly TokenUsage None = default;
}
