namespace IronAspire.Router.Providers;

/// <summary>The wire protocol a provider speaks; decides the upstream auth header and the error format.</summary>
public enum ProviderKind
{
    /// <summary>api.openai.com: Bearer key; OpenAI model names use the o200k tokenizer family.</summary>
    OpenAI,

    /// <summary>api.anthropic.com: x-api-key and anthropic-version headers.</summary>
    Anthropic,

    /// <summary>Anything that speaks OpenAI's API (Azure OpenAI, vLLM, the MockProvider): Bearer key.</summary>
    OpenAICompatible,
}

public static class ProviderKindExtensions
{
    public static ApiDialect Dialect(this ProviderKind kind) =>
        kind == ProviderKind.Anthropic ? ApiDialect.Anthropic : ApiDialect.OpenAI;
}

/// <summary>Which API a client is speaking (and so which error format it expects).</summary>
public enum ApiDialect
{
    OpenAI,
    Anthropic,
}
