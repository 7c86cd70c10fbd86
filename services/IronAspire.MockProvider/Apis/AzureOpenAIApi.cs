using IronAspire.MockProvider.Simulation;
using IronAspire.MockProvider.Wire;
using Microsoft.Extensions.Options;

namespace Microsoft.AspNetCore.Builder;

/// <summary>
/// Azure OpenAI's URL scheme: <c>/openai/deployments/{deployment}/chat/completions?api-version=…</c> (and
/// <c>/embeddings</c>), the key in the <c>api-key</c> header. The same simulator as the OpenAI API answers; a body
/// without <c>model</c> is answered as the deployment's name. Counted in <c>/admin/stats</c> as <c>azure.*</c>.
/// </summary>
public static class AzureOpenAIApi
{
    public static IEndpointRouteBuilder MapAzureOpenAIApi(this IEndpointRouteBuilder app)
    {
        var azure = app.MapGroup("/openai/deployments/{deployment}").WithTags("Azure OpenAI").AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            if (string.IsNullOrEmpty(http.Request.Query["api-version"]))
            {
                await ProviderError.WriteAsync(http, WireFormat.OpenAI, 404, "Resource not found: the api-version query parameter is required.");
                return Results.Empty;
            }

            if (string.IsNullOrEmpty(http.Request.Headers["api-key"]) && string.IsNullOrEmpty(http.Request.Headers.Authorization))
            {
                await ProviderError.WriteAsync(http, WireFormat.OpenAI, 401, "Access denied due to missing subscription key (api-key header).");
                return Results.Empty;
            }

            return await next(context);
        });
        azure.MapPost("/chat/completions", (HttpContext context, Simulator simulator) => OpenAIChatApi.ChatCompletions(context, simulator))
            .WithName("azure.chat.completions")
            .WithSummary("Azure OpenAI chat completions of a deployment");
        azure.MapPost("/embeddings", (HttpContext context, Simulator simulator, IOptionsMonitor<MockOptions> options) => OpenAIEmbeddingsApi.Embeddings(context, simulator, options))
            .WithName("azure.embeddings")
            .WithSummary("Azure OpenAI embeddings of a deployment");
        return app;
    }
}
