namespace IronAspire.MockProvider.Simulation;

/// <summary>The simulated provider endpoints; <see cref="ProviderEndpoints.StatsName"/> is the key in <c>/admin/stats</c>.</summary>
public enum ProviderEndpoint
{
    ChatCompletions,
    Responses,
    Embeddings,
    Models,
    Messages,
    CountTokens,
}

public static class ProviderEndpoints
{
    public static string StatsName(this ProviderEndpoint endpoint) => endpoint switch
    {
        ProviderEndpoint.ChatCompletions => "chat.completions",
        ProviderEndpoint.Responses => "responses",
        ProviderEndpoint.Embeddings => "embeddings",
        ProviderEndpoint.Models => "models",
        ProviderEndpoint.Messages => "messages",
        ProviderEndpoint.CountTokens => "messages.count_tokens",
        _ => throw new ArgumentOutOfRangeException(nameof(endpoint)),
    };

    public static WireFormat Format(this ProviderEndpoint endpoint) =>
        endpoint is ProviderEndpoint.Messages or ProviderEndpoint.CountTokens ? WireFormat.Anthropic : WireFormat.OpenAI;

    /// <summary>Endpoints that produce an assistant reply (and so honour max tokens, echo mode and streaming).</summary>
    public static bool Replies(this ProviderEndpoint endpoint) =>
        endpoint is ProviderEndpoint.ChatCompletions or ProviderEndpoint.Responses or ProviderEndpoint.Messages;
}
