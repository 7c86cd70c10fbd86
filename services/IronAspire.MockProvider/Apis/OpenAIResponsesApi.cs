using System.Text.Json;
using IronAspire.MockProvider.Simulation;

namespace Microsoft.AspNetCore.Builder;

/// <summary>OpenAI's Responses API, <c>POST /v1/responses</c>: a message or function_call output, streaming and not.</summary>
public static class OpenAIResponsesApi
{
    public static RouteGroupBuilder MapOpenAIResponsesApi(this RouteGroupBuilder api)
    {
        api.MapPost("/responses", Responses)
            .WithName("responses")
            .WithSummary("OpenAI Responses API (response object or response.* event stream)");
        return api;
    }

    /// <summary>Ids of one response and its output item, repeated in every event.</summary>
    private readonly record struct Ids(string Response, string Item);

    private static async Task Responses(HttpContext context, Simulator simulator)
    {
        using var call = await simulator.BeginAsync(context, ProviderEndpoint.Responses);
        if (call is null)
        {
            return;
        }

        var ids = new Ids(SimulatedCall.NewId("resp_"), SimulatedCall.NewId(call.ToolCall is null ? "msg_" : "fc_"));
        if (!call.Stream)
        {
            var json = call.BeginJson();
            WriteResponse(json, call, ids, final: true);
            await call.EndJsonAsync();
            return;
        }

        var sequence = 0;
        call.BeginStream();
        var evt = StartEvent(call, "response.created"u8, ref sequence);
        evt.WritePropertyName("response"u8);
        WriteResponse(evt, call, ids, final: false);
        evt.WriteEndObject();
        await call.EndEventAsync();

        evt = StartEvent(call, "response.in_progress"u8, ref sequence);
        evt.WritePropertyName("response"u8);
        WriteResponse(evt, call, ids, final: false);
        evt.WriteEndObject();
        await call.EndEventAsync();

        evt = StartEvent(call, "response.output_item.added"u8, ref sequence);
        evt.WriteNumber("output_index"u8, 0);
        evt.WritePropertyName("item"u8);
        WriteItem(evt, call, ids, done: false);
        evt.WriteEndObject();
        await call.EndEventAsync();

        if (call.ToolCall is { } tool)
        {
            foreach (var piece in tool.ArgumentPieces())
            {
                await call.PauseAsync(simulator.Time);
                evt = StartEvent(call, "response.function_call_arguments.delta"u8, ref sequence);
                evt.WriteString("item_id"u8, ids.Item);
                evt.WriteNumber("output_index"u8, 0);
                evt.WriteString("delta"u8, piece.Span);
                evt.WriteEndObject();
                await call.EndEventAsync(content: true);
            }

            evt = StartEvent(call, "response.function_call_arguments.done"u8, ref sequence);
            evt.WriteString("item_id"u8, ids.Item);
            evt.WriteNumber("output_index"u8, 0);
            evt.WriteString("name"u8, tool.Name);
            evt.WriteString("arguments"u8, tool.Arguments);
            evt.WriteEndObject();
            await call.EndEventAsync();
        }
        else
        {
            evt = StartEvent(call, "response.content_part.added"u8, ref sequence);
            WritePartPosition(evt, ids);
            evt.WritePropertyName("part"u8);
            WriteTextPart(evt, ReadOnlySpan<char>.Empty);
            evt.WriteEndObject();
            await call.EndEventAsync();

            var chunks = call.Chunks();
            while (chunks.TryNext(out var delta))
            {
                await call.PauseAsync(simulator.Time);
                evt = StartEvent(call, "response.output_text.delta"u8, ref sequence);
                WritePartPosition(evt, ids);
                evt.WriteString("delta"u8, delta.Span);
                evt.WriteStartArray("logprobs"u8);
                evt.WriteEndArray();
                evt.WriteEndObject();
                await call.EndEventAsync(content: true);
            }

            evt = StartEvent(call, "response.output_text.done"u8, ref sequence);
            WritePartPosition(evt, ids);
            evt.WriteString("text"u8, call.Reply.Span);
            evt.WriteStartArray("logprobs"u8);
            evt.WriteEndArray();
            evt.WriteEndObject();
            await call.EndEventAsync();

            evt = StartEvent(call, "response.content_part.done"u8, ref sequence);
            WritePartPosition(evt, ids);
            evt.WritePropertyName("part"u8);
            WriteTextPart(evt, call.Reply.Span);
            evt.WriteEndObject();
            await call.EndEventAsync();
        }

        evt = StartEvent(call, "response.output_item.done"u8, ref sequence);
        evt.WriteNumber("output_index"u8, 0);
        evt.WritePropertyName("item"u8);
        WriteItem(evt, call, ids, done: true);
        evt.WriteEndObject();
        await call.EndEventAsync();

        evt = StartEvent(call, call.Truncated ? "response.incomplete"u8 : "response.completed"u8, ref sequence);
        evt.WritePropertyName("response"u8);
        WriteResponse(evt, call, ids, final: true);
        evt.WriteEndObject();
        await call.EndEventAsync();
    }

    /// <summary>Opens an event's object with its type and sequence number (the event name is the type).</summary>
    private static Utf8JsonWriter StartEvent(SimulatedCall call, ReadOnlySpan<byte> type, ref int sequence)
    {
        var evt = call.BeginEvent(type);
        evt.WriteStartObject();
        evt.WriteString("type"u8, type);
        evt.WriteNumber("sequence_number"u8, sequence++);
        return evt;
    }

    private static void WritePartPosition(Utf8JsonWriter json, Ids ids)
    {
        json.WriteString("item_id"u8, ids.Item);
        json.WriteNumber("output_index"u8, 0);
        json.WriteNumber("content_index"u8, 0);
    }

    private static void WriteTextPart(Utf8JsonWriter json, ReadOnlySpan<char> text)
    {
        json.WriteStartObject();
        json.WriteString("type"u8, "output_text"u8);
        json.WriteString("text"u8, text);
        json.WriteStartArray("annotations"u8);
        json.WriteEndArray();
        json.WriteStartArray("logprobs"u8);
        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>The output item: a message with the text, or a function_call; empty until <paramref name="done"/>.</summary>
    private static void WriteItem(Utf8JsonWriter json, SimulatedCall call, Ids ids, bool done)
    {
        json.WriteStartObject();
        if (call.ToolCall is { } tool)
        {
            json.WriteString("type"u8, "function_call"u8);
            json.WriteString("id"u8, ids.Item);
            json.WriteString("call_id"u8, tool.Id);
            json.WriteString("name"u8, tool.Name);
            json.WriteString("arguments"u8, done ? tool.Arguments : "");
            json.WriteString("status"u8, done ? "completed"u8 : "in_progress"u8);
        }
        else
        {
            json.WriteString("type"u8, "message"u8);
            json.WriteString("id"u8, ids.Item);
            json.WriteString("status"u8, !done ? "in_progress"u8 : call.Truncated ? "incomplete"u8 : "completed"u8);
            json.WriteString("role"u8, "assistant"u8);
            json.WriteStartArray("content"u8);
            if (done)
            {
                WriteTextPart(json, call.Reply.Span);
            }

            json.WriteEndArray();
        }

        json.WriteEndObject();
    }

    /// <summary>The response object: in progress with no output (stream start), or final with output and usage.</summary>
    private static void WriteResponse(Utf8JsonWriter json, SimulatedCall call, Ids ids, bool final)
    {
        json.WriteStartObject();
        json.WriteString("id"u8, ids.Response);
        json.WriteString("object"u8, "response"u8);
        json.WriteNumber("created_at"u8, call.Created);
        json.WriteString("status"u8, !final ? "in_progress"u8 : call.Truncated ? "incomplete"u8 : "completed"u8);
        json.WriteNull("error"u8);
        if (final && call.Truncated)
        {
            json.WriteStartObject("incomplete_details"u8);
            json.WriteString("reason"u8, "max_output_tokens"u8);
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("incomplete_details"u8);
        }

        json.WriteNull("instructions"u8);
        if (call.MaxOutputTokens == int.MaxValue)
        {
            json.WriteNull("max_output_tokens"u8);
        }
        else
        {
            json.WriteNumber("max_output_tokens"u8, call.MaxOutputTokens);
        }

        json.WriteString("model"u8, call.Model);
        json.WriteStartArray("output"u8);
        if (final)
        {
            WriteItem(json, call, ids, done: true);
        }

        json.WriteEndArray();
        json.WriteBoolean("parallel_tool_calls"u8, true);
        json.WriteNull("previous_response_id"u8);
        json.WriteNumber("temperature"u8, 1.0);
        json.WriteString("tool_choice"u8, "auto"u8);
        json.WriteStartArray("tools"u8);
        json.WriteEndArray();
        json.WriteNumber("top_p"u8, 1.0);
        json.WriteString("truncation"u8, "disabled"u8);
        if (final)
        {
            var output = call.OutputTokens;
            json.WriteStartObject("usage"u8);
            json.WriteNumber("input_tokens"u8, call.InputTokens);
            json.WriteStartObject("input_tokens_details"u8);
            json.WriteNumber("cached_tokens"u8, 0);
            json.WriteEndObject();
            json.WriteNumber("output_tokens"u8, output);
            json.WriteStartObject("output_tokens_details"u8);
            json.WriteNumber("reasoning_tokens"u8, 0);
            json.WriteEndObject();
            json.WriteNumber("total_tokens"u8, (long)call.InputTokens + output);
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("usage"u8);
        }

        json.WriteStartObject("metadata"u8);
        json.WriteEndObject();
        json.WriteEndObject();
    }
}
