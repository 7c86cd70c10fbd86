using IronAspire.MockProvider.Simulation;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Anthropic's messages and count_tokens endpoints, in Anthropic's exact wire format.</summary>
public static class AnthropicApi
{
    public static IEndpointRouteBuilder MapAnthropicApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1/messages").WithTags("Anthropic");
        api.MapPost("", Messages).WithName("messages");
        api.MapPost("/count_tokens", CountTokens).WithName("messages.count_tokens");
        return app;
    }

    private static async Task Messages(HttpContext context, Simulator simulator)
    {
        var call = await simulator.BeginAsync(context, "messages", WireFormat.Anthropic, "max_tokens");
        if (call is null)
        {
            return;
        }

        if (call.Root["max_tokens"] is null)
        {
            await Simulator.WriteErrorAsync(context, WireFormat.Anthropic, 400, "max_tokens: Field required");
            return;
        }

        var id = "msg_" + Guid.NewGuid().ToString("N")[..24];
        if (!call.Stream)
        {
            await context.Response.WriteAsJsonAsync(new
            {
                id,
                type = "message",
                role = "assistant",
                model = call.Model,
                content = new[] { new { type = "text", text = call.Reply } },
                stop_reason = "end_turn",
                stop_sequence = (string?)null,
                usage = new { input_tokens = call.InputTokens, output_tokens = call.OutputTokens, cache_creation_input_tokens = 0, cache_read_input_tokens = 0 },
            });
            return;
        }

        var ct = context.RequestAborted;
        var response = context.Response;
        SseWriter.Start(response);
        await SseWriter.WriteAsync(response, "message_start", new
        {
            type = "message_start",
            message = new
            {
                id,
                type = "message",
                role = "assistant",
                model = call.Model,
                content = Array.Empty<object>(),
                stop_reason = (string?)null,
                stop_sequence = (string?)null,
                usage = new { input_tokens = call.InputTokens, output_tokens = 1, cache_creation_input_tokens = 0, cache_read_input_tokens = 0 },
            },
        }, ct);
        await SseWriter.WriteAsync(response, "content_block_start", new { type = "content_block_start", index = 0, content_block = new { type = "text", text = "" } }, ct);
        await SseWriter.WriteAsync(response, "ping", new { type = "ping" }, ct);
        var sent = 0;
        foreach (var delta in call.Deltas())
        {
            await call.PauseBetweenChunks(ct);
            await SseWriter.WriteAsync(response, "content_block_delta", new { type = "content_block_delta", index = 0, delta = new { type = "text_delta", text = delta } }, ct);
            if (call.DropMidStream && ++sent == 3)
            {
                context.Abort();
                return;
            }
        }

        await SseWriter.WriteAsync(response, "content_block_stop", new { type = "content_block_stop", index = 0 }, ct);
        await SseWriter.WriteAsync(response, "message_delta", new
        {
            type = "message_delta",
            delta = new { stop_reason = "end_turn", stop_sequence = (string?)null },
            usage = new { output_tokens = call.OutputTokens },
        }, ct);
        await SseWriter.WriteAsync(response, "message_stop", new { type = "message_stop" }, ct);
    }

    private static async Task CountTokens(HttpContext context, Simulator simulator)
    {
        var call = await simulator.BeginAsync(context, "messages.count_tokens", WireFormat.Anthropic);
        if (call is not null)
        {
            await context.Response.WriteAsJsonAsync(new { input_tokens = call.InputTokens });
        }
    }
}
