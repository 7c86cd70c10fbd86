using System.Text.Json;
using IronAspire.MockProvider.Simulation;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Anthropic's <c>POST /v1/messages</c> (streaming and not, with tool_use) and <c>/v1/messages/count_tokens</c>.</summary>
public static class AnthropicApi
{
    public static RouteGroupBuilder MapAnthropicApi(this RouteGroupBuilder api)
    {
        api.MapPost("/messages", Messages)
            .WithName("messages")
            .WithSummary("Anthropic messages (message object or message_start … message_stop event stream)");
        api.MapPost("/messages/count_tokens", CountTokens)
            .WithName("messages.count_tokens")
            .WithSummary("Anthropic token counting ({input_tokens}, the same count messages reports)");
        return api;
    }

    private static async Task Messages(HttpContext context, Simulator simulator)
    {
        using var call = await simulator.BeginAsync(context, ProviderEndpoint.Messages);
        if (call is null)
        {
            return;
        }

        var id = SimulatedCall.NewId("msg_");
        var stopReason = call.ToolCall is not null ? "tool_use" : call.Truncated ? "max_tokens" : "end_turn";
        if (!call.Stream)
        {
            var json = call.BeginJson();
            json.WriteStartObject();
            json.WriteString("id"u8, id);
            json.WriteString("type"u8, "message"u8);
            json.WriteString("role"u8, "assistant"u8);
            json.WriteString("model"u8, call.Model);
            json.WriteStartArray("content"u8);
            if (call.ToolCall is { } tool)
            {
                json.WriteStartObject();
                json.WriteString("type"u8, "tool_use"u8);
                json.WriteString("id"u8, tool.Id);
                json.WriteString("name"u8, tool.Name);
                json.WritePropertyName("input"u8);
                json.WriteRawValue(tool.Arguments, skipInputValidation: true);
                WriteDirectCaller(json);
                json.WriteEndObject();
            }
            else
            {
                json.WriteStartObject();
                json.WriteString("type"u8, "text"u8);
                json.WriteString("text"u8, call.Reply.Span);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteString("stop_reason"u8, stopReason);
            json.WriteNull("stop_sequence"u8);
            WriteUsage(json, call, call.OutputTokens);
            json.WriteEndObject();
            await call.EndJsonAsync();
            return;
        }

        call.BeginStream();
        var evt = call.BeginEvent("message_start"u8);
        evt.WriteStartObject();
        evt.WriteString("type"u8, "message_start"u8);
        evt.WriteStartObject("message"u8);
        evt.WriteString("id"u8, id);
        evt.WriteString("type"u8, "message"u8);
        evt.WriteString("role"u8, "assistant"u8);
        evt.WriteString("model"u8, call.Model);
        evt.WriteStartArray("content"u8);
        evt.WriteEndArray();
        evt.WriteNull("stop_reason"u8);
        evt.WriteNull("stop_sequence"u8);
        // As Anthropic does: the input count up front, a token of output so far.
        WriteUsage(evt, call, Math.Min(1, call.MaxOutputTokens));
        evt.WriteEndObject();
        evt.WriteEndObject();
        await call.EndEventAsync();

        evt = call.BeginEvent("content_block_start"u8);
        evt.WriteStartObject();
        evt.WriteString("type"u8, "content_block_start"u8);
        evt.WriteNumber("index"u8, 0);
        evt.WriteStartObject("content_block"u8);
        if (call.ToolCall is { } toolCall)
        {
            evt.WriteString("type"u8, "tool_use"u8);
            evt.WriteString("id"u8, toolCall.Id);
            evt.WriteString("name"u8, toolCall.Name);
            evt.WriteStartObject("input"u8);
            evt.WriteEndObject();
            WriteDirectCaller(evt);
        }
        else
        {
            evt.WriteString("type"u8, "text"u8);
            evt.WriteString("text"u8, ""u8);
        }

        evt.WriteEndObject();
        evt.WriteEndObject();
        await call.EndEventAsync();

        evt = call.BeginEvent("ping"u8);
        evt.WriteStartObject();
        evt.WriteString("type"u8, "ping"u8);
        evt.WriteEndObject();
        await call.EndEventAsync();

        if (call.ToolCall is { } plannedTool)
        {
            foreach (var piece in plannedTool.ArgumentPieces())
            {
                await call.PauseAsync(simulator.Time);
                evt = StartDelta(call, "input_json_delta"u8);
                evt.WriteString("partial_json"u8, piece.Span);
                EndDelta(evt);
                await call.EndEventAsync(content: true);
            }
        }
        else
        {
            var chunks = call.Chunks();
            while (chunks.TryNext(out var delta))
            {
                await call.PauseAsync(simulator.Time);
                evt = StartDelta(call, "text_delta"u8);
                evt.WriteString("text"u8, delta.Span);
                EndDelta(evt);
                await call.EndEventAsync(content: true);
            }
        }

        evt = call.BeginEvent("content_block_stop"u8);
        evt.WriteStartObject();
        evt.WriteString("type"u8, "content_block_stop"u8);
        evt.WriteNumber("index"u8, 0);
        evt.WriteEndObject();
        await call.EndEventAsync();

        evt = call.BeginEvent("message_delta"u8);
        evt.WriteStartObject();
        evt.WriteString("type"u8, "message_delta"u8);
        evt.WriteStartObject("delta"u8);
        evt.WriteString("stop_reason"u8, stopReason);
        evt.WriteNull("stop_sequence"u8);
        evt.WriteEndObject();
        evt.WriteStartObject("usage"u8);
        evt.WriteNumber("output_tokens"u8, call.OutputTokens);
        evt.WriteEndObject();
        evt.WriteEndObject();
        await call.EndEventAsync();

        evt = call.BeginEvent("message_stop"u8);
        evt.WriteStartObject();
        evt.WriteString("type"u8, "message_stop"u8);
        evt.WriteEndObject();
        await call.EndEventAsync();
    }

    private static async Task CountTokens(HttpContext context, Simulator simulator)
    {
        using var call = await simulator.BeginAsync(context, ProviderEndpoint.CountTokens);
        if (call is null)
        {
            return;
        }

        var json = call.BeginJson();
        json.WriteStartObject();
        json.WriteNumber("input_tokens"u8, call.InputTokens);
        json.WriteEndObject();
        await call.EndJsonAsync();
    }

    private static Utf8JsonWriter StartDelta(SimulatedCall call, ReadOnlySpan<byte> deltaType)
    {
        var evt = call.BeginEvent("content_block_delta"u8);
        evt.WriteStartObject();
        evt.WriteString("type"u8, "content_block_delta"u8);
        evt.WriteNumber("index"u8, 0);
        evt.WriteStartObject("delta"u8);
        evt.WriteString("type"u8, deltaType);
        return evt;
    }

    private static void EndDelta(Utf8JsonWriter evt)
    {
        evt.WriteEndObject();
        evt.WriteEndObject();
    }

    /// <summary>Who made a tool call: the model itself (Anthropic's SDK requires the field on tool_use blocks).</summary>
    private static void WriteDirectCaller(Utf8JsonWriter json)
    {
        json.WriteStartObject("caller"u8);
        json.WriteString("type"u8, "direct"u8);
        json.WriteEndObject();
    }

    private static void WriteUsage(Utf8JsonWriter json, SimulatedCall call, int outputTokens)
    {
        json.WriteStartObject("usage"u8);
        json.WriteNumber("input_tokens"u8, call.InputTokens);
        json.WriteNumber("cache_creation_input_tokens"u8, 0);
        json.WriteNumber("cache_read_input_tokens"u8, 0);
        json.WriteNumber("output_tokens"u8, outputTokens);
        json.WriteString("service_tier"u8, "standard"u8);
        json.WriteEndObject();
    }
}
