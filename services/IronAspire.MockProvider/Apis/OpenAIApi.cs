using System.Text.Json;
using System.Text.Json.Nodes;
using IronAspire.MockProvider.Simulation;

namespace Microsoft.AspNetCore.Builder;

/// <summary>OpenAI's chat completions, Responses, embeddings and models endpoints, in OpenAI's exact wire format.</summary>
public static class OpenAIApi
{
    public static IEndpointRouteBuilder MapOpenAIApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1").WithTags("OpenAI");
        api.MapPost("/chat/completions", ChatCompletions).WithName("chat.completions");
        api.MapPost("/responses", Responses).WithName("responses");
        api.MapPost("/embeddings", Embeddings).WithName("embeddings");
        api.MapGet("/models", Models).WithName("models");
        return app;
    }

    private static async Task ChatCompletions(HttpContext context, Simulator simulator)
    {
        var call = await simulator.BeginAsync(context, "chat.completions", WireFormat.OpenAI, "max_completion_tokens", "max_tokens");
        if (call is null)
        {
            return;
        }

        var id = "chatcmpl-" + Guid.NewGuid().ToString("N")[..24];
        var created = simulator.Time.GetUtcNow().ToUnixTimeSeconds();
        var toolCall = ToolCallFor(call.Root);
        var usage = new
        {
            prompt_tokens = call.InputTokens,
            completion_tokens = toolCall is null ? call.OutputTokens : 12,
            total_tokens = call.InputTokens + (toolCall is null ? call.OutputTokens : 12),
            prompt_tokens_details = new { cached_tokens = 0 },
            completion_tokens_details = new { reasoning_tokens = 0 },
        };

        if (!call.Stream)
        {
            object message = toolCall is null
                ? new { role = "assistant", content = call.Reply, refusal = (string?)null }
                : new { role = "assistant", content = (string?)null, tool_calls = new[] { new { id = toolCall.Value.Id, type = "function", function = new { name = toolCall.Value.Name, arguments = toolCall.Value.Arguments } } } };
            await context.Response.WriteAsJsonAsync(new
            {
                id,
                @object = "chat.completion",
                created,
                model = call.Model,
                choices = new[] { new { index = 0, message, logprobs = (object?)null, finish_reason = toolCall is null ? "stop" : "tool_calls" } },
                usage,
                system_fingerprint = "fp_ironaspire_mock",
            });
            return;
        }

        var ct = context.RequestAborted;
        SseWriter.Start(context.Response);
        object Chunk(object delta, string? finish) => new
        {
            id,
            @object = "chat.completion.chunk",
            created,
            model = call.Model,
            system_fingerprint = "fp_ironaspire_mock",
            choices = new[] { new { index = 0, delta, logprobs = (object?)null, finish_reason = finish } },
        };

        await SseWriter.WriteAsync(context.Response, null, Chunk(new { role = "assistant", content = "" }, null), ct);
        if (toolCall is { } tool)
        {
            await SseWriter.WriteAsync(context.Response, null, Chunk(new { tool_calls = new[] { new { index = 0, id = tool.Id, type = "function", function = new { name = tool.Name, arguments = "" } } } }, null), ct);
            await SseWriter.WriteAsync(context.Response, null, Chunk(new { tool_calls = new[] { new { index = 0, function = new { arguments = tool.Arguments } } } }, null), ct);
        }
        else
        {
            var sent = 0;
            foreach (var delta in call.Deltas())
            {
                await call.PauseBetweenChunks(ct);
                await SseWriter.WriteAsync(context.Response, null, Chunk(new { content = delta }, null), ct);
                if (call.DropMidStream && ++sent == 3)
                {
                    context.Abort();
                    return;
                }
            }
        }

        await SseWriter.WriteAsync(context.Response, null, Chunk(new { }, toolCall is null ? "stop" : "tool_calls"), ct);
        if (call.Root["stream_options"]?["include_usage"] is JsonValue include && include.GetValueKind() == JsonValueKind.True)
        {
            await SseWriter.WriteAsync(context.Response, null, new
            {
                id,
                @object = "chat.completion.chunk",
                created,
                model = call.Model,
                system_fingerprint = "fp_ironaspire_mock",
                choices = Array.Empty<object>(),
                usage,
            }, ct);
        }

        await SseWriter.WriteAsync(context.Response, null, "[DONE]", ct);
    }

    private static async Task Responses(HttpContext context, Simulator simulator)
    {
        var call = await simulator.BeginAsync(context, "responses", WireFormat.OpenAI, "max_output_tokens");
        if (call is null)
        {
            return;
        }

        var id = "resp_" + Guid.NewGuid().ToString("N")[..24];
        var itemId = "msg_" + Guid.NewGuid().ToString("N")[..24];
        var created = simulator.Time.GetUtcNow().ToUnixTimeSeconds();
        object Response(string status, string text, bool withUsage) => new
        {
            id,
            @object = "response",
            created_at = created,
            status,
            model = call.Model,
            output = text.Length == 0 && status != "completed" ? Array.Empty<object>() : new object[]
            {
                new { type = "message", id = itemId, status = "completed", role = "assistant", content = new[] { new { type = "output_text", text, annotations = Array.Empty<object>() } } },
            },
            usage = withUsage ? new { input_tokens = call.InputTokens, input_tokens_details = new { cached_tokens = 0 }, output_tokens = call.OutputTokens, output_tokens_details = new { reasoning_tokens = 0 }, total_tokens = call.InputTokens + call.OutputTokens } : null,
        };

        if (!call.Stream)
        {
            await context.Response.WriteAsJsonAsync(Response("completed", call.Reply, true));
            return;
        }

        var ct = context.RequestAborted;
        var seq = 0;
        SseWriter.Start(context.Response);
        await SseWriter.WriteAsync(context.Response, "response.created", new { type = "response.created", sequence_number = seq++, response = Response("in_progress", "", false) }, ct);
        await SseWriter.WriteAsync(context.Response, "response.output_item.added", new { type = "response.output_item.added", sequence_number = seq++, output_index = 0, item = new { type = "message", id = itemId, status = "in_progress", role = "assistant", content = Array.Empty<object>() } }, ct);
        await SseWriter.WriteAsync(context.Response, "response.content_part.added", new { type = "response.content_part.added", sequence_number = seq++, item_id = itemId, output_index = 0, content_index = 0, part = new { type = "output_text", text = "", annotations = Array.Empty<object>() } }, ct);
        var sent = 0;
        foreach (var delta in call.Deltas())
        {
            await call.PauseBetweenChunks(ct);
            await SseWriter.WriteAsync(context.Response, "response.output_text.delta", new { type = "response.output_text.delta", sequence_number = seq++, item_id = itemId, output_index = 0, content_index = 0, delta }, ct);
            if (call.DropMidStream && ++sent == 3)
            {
                context.Abort();
                return;
            }
        }

        await SseWriter.WriteAsync(context.Response, "response.output_text.done", new { type = "response.output_text.done", sequence_number = seq++, item_id = itemId, output_index = 0, content_index = 0, text = call.Reply }, ct);
        await SseWriter.WriteAsync(context.Response, "response.completed", new { type = "response.completed", sequence_number = seq, response = Response("completed", call.Reply, true) }, ct);
    }

    private static async Task Embeddings(HttpContext context, Simulator simulator, Microsoft.Extensions.Options.IOptionsMonitor<MockOptions> options)
    {
        var call = await simulator.BeginAsync(context, "embeddings", WireFormat.OpenAI);
        if (call is null)
        {
            return;
        }

        var inputs = call.Root["input"] switch
        {
            JsonArray array => array.Select(i => i?.ToJsonString() ?? "").ToList(),
            { } single => [single.ToJsonString()],
            _ => [],
        };
        if (inputs.Count == 0)
        {
            await Simulator.WriteErrorAsync(context, WireFormat.OpenAI, 400, "'input' is a required property");
            return;
        }

        var dimensions = call.Root["dimensions"] is JsonValue d && d.TryGetValue<int>(out var dims) && dims > 0 ? Math.Min(dims, 8192) : options.CurrentValue.EmbeddingDimensions;
        var base64 = call.Root["encoding_format"]?.GetValue<string>() == "base64";
        var data = inputs.Select((text, index) =>
        {
            var vector = Vector(text, dimensions);
            object embedding = base64 ? Convert.ToBase64String(System.Runtime.InteropServices.MemoryMarshal.AsBytes(vector.AsSpan())) : vector;
            return new { @object = "embedding", index, embedding };
        }).ToArray();

        await context.Response.WriteAsJsonAsync(new
        {
            @object = "list",
            data,
            model = call.Model,
            usage = new { prompt_tokens = call.InputTokens, total_tokens = call.InputTokens },
        });
    }

    private static IResult Models(TimeProvider time) => TypedResults.Ok(new
    {
        @object = "list",
        data = new[] { "gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini", "o3-mini", "text-embedding-3-small", "text-embedding-3-large" }
            .Select(id => new { id, @object = "model", created = 1_700_000_000, owned_by = "ironaspire-mock" }),
    });

    /// <summary>A deterministic unit vector per input, so equal texts embed equally.</summary>
    private static float[] Vector(string text, int dimensions)
    {
        var random = new Random(text.GetHashCode(StringComparison.Ordinal));
        var vector = new float[dimensions];
        double norm = 0;
        for (var i = 0; i < dimensions; i++)
        {
            vector[i] = (float)(random.NextDouble() * 2 - 1);
            norm += vector[i] * vector[i];
        }

        var scale = (float)(1 / Math.Sqrt(norm));
        for (var i = 0; i < dimensions; i++)
        {
            vector[i] *= scale;
        }

        return vector;
    }

    /// <summary>
    /// A tool call is made when tools are offered and the client forces one (tool_choice "required" or a named
    /// function) or the last user message says "call &lt;function name&gt;".
    /// </summary>
    private static (string Id, string Name, string Arguments)? ToolCallFor(JsonObject root)
    {
        if (root["tools"] is not JsonArray { Count: > 0 } tools)
        {
            return null;
        }

        var names = tools.Select(t => t?["function"]?["name"]?.GetValue<string>()).OfType<string>().ToList();
        string? name = null;
        switch (root["tool_choice"])
        {
            case JsonValue v when v.GetValueKind() == JsonValueKind.String && v.GetValue<string>() == "required":
                name = names.FirstOrDefault();
                break;
            case JsonObject choice:
                name = choice["function"]?["name"]?.GetValue<string>();
                break;
        }

        var lastUser = (root["messages"] as JsonArray)?.LastOrDefault(m => m?["role"]?.GetValue<string>() == "user")?["content"];
        var text = lastUser is JsonValue s && s.GetValueKind() == JsonValueKind.String ? s.GetValue<string>() : lastUser?.ToJsonString() ?? "";
        name ??= names.FirstOrDefault(n => text.Contains("call " + n, StringComparison.OrdinalIgnoreCase));
        return name is null ? null : ("call_" + Guid.NewGuid().ToString("N")[..24], name, """{"location":"Paris"}""");
    }
}
