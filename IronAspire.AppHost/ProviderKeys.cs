using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;

namespace IronAspire.AppHost;

/// <summary>
/// Real providers when their keys are in the AppHost's environment (OPENAI_API_KEY, ANTHROPIC_API_KEY); otherwise the
/// Router falls back to the MockProvider for every model. Keys travel only in the Router's environment.
/// </summary>
internal static class ProviderKeys
{
    public static void Apply(IResourceBuilder<ProjectResource> router, IConfiguration configuration)
    {
        // A deployment takes provider keys from a Secret of its own (docs/deploy.md), never from the publisher's environment.
        if (router.ApplicationBuilder.ExecutionContext.IsPublishMode)
        {
            return;
        }

        var index = 0;
        if (configuration["OPENAI_API_KEY"] is { Length: > 0 } openAiKey)
        {
            Provider(router, index++, "openai", "OpenAI", configuration["OPENAI_BASE_URL_UPSTREAM"] ?? "https://api.openai.com", openAiKey,
                ["gpt-*", "o1*", "o3*", "o4*", "text-embedding-*", "chatgpt-*"]);
        }

        if (configuration["ANTHROPIC_API_KEY"] is { Length: > 0 } anthropicKey)
        {
            Provider(router, index++, "anthropic", "Anthropic", configuration["ANTHROPIC_BASE_URL_UPSTREAM"] ?? "https://api.anthropic.com", anthropicKey, ["claude-*"]);
        }
    }

    private static void Provider(IResourceBuilder<ProjectResource> router, int index, string name, string kind, string baseUrl, string key, string[] models)
    {
        var prefix = $"Router__Providers__{index}__";
        router.WithEnvironment(prefix + "Name", name)
            .WithEnvironment(prefix + "Kind", kind)
            .WithEnvironment(prefix + "BaseUrl", baseUrl)
            .WithEnvironment(prefix + "ApiKey", key);
        for (var i = 0; i < models.Length; i++)
        {
            router.WithEnvironment($"{prefix}Models__{i}", models[i]);
        }
    }
}
