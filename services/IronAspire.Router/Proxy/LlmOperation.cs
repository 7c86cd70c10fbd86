using IronAspire.Router.Providers;

namespace IronAspire.Router.Proxy;

/// <summary>One proxied API operation: which dialect it is, where it goes upstream, and how it is priced.</summary>
public sealed record LlmOperation(string Name, ApiDialect Dialect, string UpstreamPath, bool Billable, bool HasOutput)
{
    public static readonly LlmOperation ChatCompletions = new("chat.completions", ApiDialect.OpenAI, "/v1/chat/completions", true, true);
    public static readonly LlmOperation Responses = new("responses", ApiDialect.OpenAI, "/v1/responses", true, true);
    public static readonly LlmOperation Embeddings = new("embeddings", ApiDialect.OpenAI, "/v1/embeddings", true, false);
    public static readonly LlmOperation Messages = new("messages", ApiDialect.Anthropic, "/v1/messages", true, true);

    /// <summary>Anthropic's token counting endpoint is free: authenticated and routed, but not budgeted.</summary>
    public static readonly LlmOperation CountTokens = new("messages.count_tokens", ApiDialect.Anthropic, "/v1/messages/count_tokens", false, false);
}
