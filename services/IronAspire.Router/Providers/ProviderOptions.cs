using System.ComponentModel.DataAnnotations;

namespace IronAspire.Router.Providers;

/// <summary>One upstream LLM provider, bound from <c>Router:Providers:{i}</c>.</summary>
public sealed class ProviderOptions
{
    [Required, RegularExpression("^[a-z][a-z0-9-]*$", ErrorMessage = "Provider names are lower-case letters, digits and hyphens.")]
    public string Name { get; set; } = "";

    public ProviderKind Kind { get; set; } = ProviderKind.OpenAICompatible;

    /// <summary>Base URL without the /v1 suffix, e.g. https://api.openai.com.</summary>
    [Required, Url]
    public string BaseUrl { get; set; } = "";

    /// <summary>The provider key; never logged, never sent to the agent. Empty for keyless local endpoints.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Glob patterns (<c>*</c> wildcard) of the models this provider serves. Order across providers is the fallback order.</summary>
    public List<string> Models { get; set; } = [];

    /// <summary>Azure OpenAI: the <c>api-version</c> query parameter of every call.</summary>
    public string ApiVersion { get; set; } = "2024-10-21";

    /// <summary>Azure OpenAI: model name → deployment name; a model not listed is sent to the deployment of its own name.</summary>
    public Dictionary<string, string> Deployments { get; set; } = [];

    /// <summary>
    /// Client headers this provider gets besides the Router's allow-list (docs/router.md): names, or prefixes ending in
    /// <c>*</c>. The built-in MockProvider upstream takes its <c>x-mock-*</c> controls this way; real providers need none.
    /// </summary>
    public List<string> ForwardHeaders { get; set; } = [];

    /// <summary>Sent as anthropic-version when the client does not send one.</summary>
    public string AnthropicVersion { get; set; } = "2023-06-01";
}
