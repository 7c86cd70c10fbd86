using IronAspire.MockProvider.Simulation;

namespace Microsoft.AspNetCore.Builder;

/// <summary>The provider endpoints under <c>/v1</c>, OpenAI's and Anthropic's side by side as on the real hosts.</summary>
public static class ProviderApis
{
    public static IEndpointRouteBuilder MapProviderApis(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/v1").WithTags("Provider");
        v1.MapOpenAIChatApi();
        v1.MapOpenAIResponsesApi();
        v1.MapOpenAIEmbeddingsApi();
        v1.MapModelsApi();
        v1.MapAnthropicApi();
        return app;
    }
}
