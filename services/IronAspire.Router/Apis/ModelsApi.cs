using IronAspire.Router.Auth;
using IronAspire.Router.Errors;
using IronAspire.Router.Providers;
using IronAspire.Router.Proxy;

namespace Microsoft.AspNetCore.Builder;

/// <summary>GET /v1/models: the models this agent may use, in OpenAI's list format (Anthropic's when the client sends anthropic-version).</summary>
public static class ModelsApi
{
    public static IEndpointRouteBuilder MapModelsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/models", ListModels).WithName("models.list").WithSummary("Models this agent may use").WithTags("LLM proxy");
        app.MapGet("/openai/v1/models", ListModels).WithName("openai.models.list").WithTags("LLM proxy");
        app.MapGet("/anthropic/v1/models", ListModels).WithName("anthropic.models.list").WithTags("LLM proxy");
        return app;
    }

    private static async Task ListModels(HttpContext context, AgentKeyAuthenticator authenticator, ProviderRegistry providers, TimeProvider time)
    {
        var anthropic = context.Request.Headers.ContainsKey("anthropic-version") || context.Request.Path.StartsWithSegments("/anthropic");
        var dialect = anthropic ? ApiDialect.Anthropic : ApiDialect.OpenAI;
        var check = await authenticator.AuthenticateAsync(AgentKeyReader.Read(context.Request));
        if (check.Identity is not { } agent)
        {
            await (check.IsUnavailable ? ApiError.KeyCheckUnavailable() : ApiError.Unauthorized()).WriteAsync(context, dialect);
            return;
        }

        var created = time.GetUtcNow().ToUnixTimeSeconds();
        // Patterns list what a provider serves; a pattern with a wildcard names a family, listed as written. With an
        // allow-list, each entry is what the provider's pattern and the agent's have in common (the narrower of the two).
        var models = providers.ModelPatterns()
            .Where(m => !anthropic || m.Provider.Dialect == ApiDialect.Anthropic)
            .SelectMany(m => agent.AllowedModels is not { } allowed
                ? [m]
                : allowed.Select(a => ModelPattern.Narrower(m.Model, a)).OfType<string>().Select(model => (Model: model, m.Provider)))
            .DistinctBy(m => m.Model, StringComparer.OrdinalIgnoreCase)
            .ToList();

        if (anthropic)
        {
            await context.Response.WriteAsJsonAsync(new
            {
                data = models.Select(m => new { type = "model", id = m.Model, display_name = m.Model, created_at = time.GetUtcNow() }),
                has_more = false,
                first_id = models.FirstOrDefault().Model,
                last_id = models.LastOrDefault().Model,
            });
            return;
        }

        await context.Response.WriteAsJsonAsync(new
        {
            @object = "list",
            data = models.Select(m => new { id = m.Model, @object = "model", created, owned_by = m.Provider.Name }),
        });
    }
}
