namespace IronAspire.Router.Providers;

/// <summary>The wire protocol a provider speaks; decides the upstream auth header and the error format.</summary>
public enum ProviderKind
{
    /// <summary>api.openai.com: Bearer key; OpenAI model names use the o200k tokenizer family.</summary>
    OpenAI,

    /// <summary>api.anthropic.com: x-api-key and anthropic-version headers.</summary>
    Anthropic,

    /// <summary>Anything that speaks OpenAI's API (vLLM, LiteLLM, the MockProvider): Bearer key.</summary>
    OpenAICompatible,

    /// <summary>Azure OpenAI: OpenAI's API at deployment URLs (<c>/openai/deployments/{deployment}/…?api-version=…</c>), the <c>api-key</c> header.</summary>
    AzureOpenAI,
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
