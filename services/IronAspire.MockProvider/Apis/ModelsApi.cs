using System.Text.Json;
using IronAspire.MockProvider.Simulation;
using IronAspire.MockProvider.Wire;

namespace Microsoft.AspNetCore.Builder;

/// <summary>
/// <c>GET /v1/models</c> and <c>/v1/models/{id}</c>: OpenAI's list format, or Anthropic's when the request carries
/// <c>anthropic-version</c> (both providers serve the same path).
/// </summary>
public static class ModelsApi
{
    private static readonly string[] OpenAIModels =
        ["gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini", "o3-mini", "text-embedding-3-small", "text-embedding-3-large"];

    private static readonly string[] AnthropicModels =
        ["claude-sonnet-4-5", "claude-opus-4-1", "claude-haiku-4-5", "claude-3-5-haiku-latest"];

    private const long Created = 1_700_000_000;

    public static RouteGroupBuilder MapModelsApi(this RouteGroupBuilder api)
    {
        api.MapGet("/models", (HttpContext context, Simulator simulator) => ListAsync(context, simulator, null))
            .WithName("models.list")
            .WithSummary("Models (OpenAI list format; Anthropic's with an anthropic-version header)");
        api.MapGet("/models/{id}", (HttpContext context, Simulator simulator, string id) => ListAsync(context, simulator, id))
            .WithName("models.get")
            .WithSummary("One model; any id is known to the simulator");
        return api;
    }

    private static async Task ListAsync(HttpContext context, Simulator simulator, string? id)
    {
        var anthropic = context.Request.Headers.ContainsKey("anthropic-version");
        if (!await simulator.BeginWithoutBodyAsync(context, ProviderEndpoint.Models, anthropic ? WireFormat.Anthropic : WireFormat.OpenAI, id))
        {
            return;
        }

        context.Response.ContentType = "application/json";
        using (var json = new Utf8JsonWriter(context.Response.BodyWriter, JsonWire.Options))
        {
            if (id is not null)
            {
                WriteModel(json, id, anthropic);
            }
            else
            {
                var models = anthropic ? AnthropicModels : OpenAIModels;
                json.WriteStartObject();
                if (!anthropic)
                {
                    json.WriteString("object"u8, "list"u8);
                }

                json.WriteStartArray("data"u8);
                foreach (var model in models)
                {
                    WriteModel(json, model, anthropic);
                }

                json.WriteEndArray();
                if (anthropic)
                {
                    json.WriteBoolean("has_more"u8, false);
                    json.WriteString("first_id"u8, models[0]);
                    json.WriteString("last_id"u8, models[^1]);
                }

                json.WriteEndObject();
            }
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
    }

    private static void WriteModel(Utf8JsonWriter json, string id, bool anthropic)
    {
        json.WriteStartObject();
        if (anthropic)
        {
            json.WriteString("type"u8, "model"u8);
            json.WriteString("id"u8, id);
            json.WriteString("display_name"u8, id);
            json.WriteString("created_at"u8, "2023-11-14T22:13:20Z"u8);
        }
        else
        {
            json.WriteString("id"u8, id);
            json.WriteString("object"u8, "model"u8);
            json.WriteNumber("created"u8, Created);
            json.WriteString("owned_by"u8, "ironaspire-mock"u8);
        }

        json.WriteEndObject();
    }
}
