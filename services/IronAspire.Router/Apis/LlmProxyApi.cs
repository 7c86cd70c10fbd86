using IronAspire.Router.Proxy;

namespace Microsoft.AspNetCore.Builder;

/// <summary>
/// The OpenAI- and Anthropic-compatible endpoints. Without a prefix the model name picks the provider;
/// /openai/v1/... and /anthropic/v1/... pick it explicitly.
/// </summary>
public static class LlmProxyApi
{
    public static IEndpointRouteBuilder MapLlmProxyApi(this IEndpointRouteBuilder app)
    {
        Map(app, "/v1/chat/completions", LlmOperation.ChatCompletions, "OpenAI chat completion (streaming with stream: true)");
        Map(app, "/v1/responses", LlmOperation.Responses, "OpenAI Responses API");
        Map(app, "/v1/embeddings", LlmOperation.Embeddings, "OpenAI embeddings");
        Map(app, "/v1/messages", LlmOperation.Messages, "Anthropic messages (streaming with stream: true)");
        Map(app, "/v1/messages/count_tokens", LlmOperation.CountTokens, "Anthropic token count (not billed)");
        return app;
    }

    private static void Map(IEndpointRouteBuilder app, string path, LlmOperation operation, string summary)
    {
        var prefix = operation.Dialect == IronAspire.Router.Providers.ApiDialect.Anthropic ? "/anthropic" : "/openai";
        app.MapPost(path, (HttpContext context, LlmProxyHandler handler) => handler.HandleAsync(context, operation, explicitProvider: false))
            .WithName(operation.Name)
            .WithSummary(summary)
            .WithTags("LLM proxy")
            .DisableAntiforgery();
        app.MapPost(prefix + path, (HttpContext context, LlmProxyHandler handler) => handler.HandleAsync(context, operation, explicitProvider: true))
            .WithName(prefix.TrimStart('/') + "." + operation.Name)
            .WithSummary(summary + $" ({prefix.TrimStart('/')} provider explicitly)")
            .WithTags("LLM proxy")
            .DisableAntiforgery();
    }
}
