using System.Text.Json;
using IronAspire.MockProvider.Simulation;

namespace Microsoft.AspNetCore.Builder;

/// <summary>OpenAI's <c>POST /v1/chat/completions</c>, in OpenAI's wire format, streaming and not, with tool calls.</summary>
public static class OpenAIChatApi
{
    private const string Fingerprint = "fp_ironaspire_mock";

    public static RouteGroupBuilder MapOpenAIChatApi(this RouteGroupBuilder api)
    {
        api.MapPost("/chat/completions", ChatCompletions)
            .WithName("chat.completions")
            .WithSummary("OpenAI chat completions (chat.completion or chat.completion.chunk stream)");
        return api;
    }

    internal static async Task ChatCompletions(HttpContext context, Simulator simulator)
    {
        using var call = await simulator.BeginAsync(context, ProviderEndpoint.ChatCompletions);
        if (call is null)
        {
            return;
        }

        var id = SimulatedCall.NewId("chatcmpl-");
        var finish = call.ToolCall is not null ? "tool_calls" : call.Truncated ? "length" : "stop";
        if (!call.Stream)
        {
            var json = call.BeginJson();
            json.WriteStartObject();
            WriteHeader(json, call, id, "chat.completion"u8);
            json.WriteStartArray("choices"u8);
            json.WriteStartObject();
            json.WriteNumber("index"u8, 0);
            json.WriteStartObject("message"u8);
            json.WriteString("role"u8, "assistant"u8);
            if (call.ToolCall is { } tool)
            {
                json.WriteNull("content"u8);
                json.WriteStartArray("tool_calls"u8);
                json.WriteStartObject();
                json.WriteString("id"u8, tool.Id);
                json.WriteString("type"u8, "function"u8);
                json.WriteStartObject("function"u8);
                json.WriteString("name"u8, tool.Name);
                json.WriteString("arguments"u8, tool.Arguments);
                json.WriteEndObject();
                json.WriteEndObject();
                json.WriteEndArray();
            }
            else
            {
                json.WriteString("content"u8, call.Reply.Span);
            }

            json.WriteNull("refusal"u8);
            json.WriteStartArray("annotations"u8);
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteNull("logprobs"u8);
            json.WriteString("finish_reason"u8, finish);
            json.WriteEndObject();
            json.WriteEndArray();
            WriteUsage(json, call);
            json.WriteString("service_tier"u8, "default"u8);
            json.WriteEndObject();
            await call.EndJsonAsync();
            return;
        }

        call.BeginStream();
        var chunk = call.BeginEvent(default);
        StartChunk(chunk, call, id);
        chunk.WriteString("role"u8, "assistant"u8);
        chunk.WriteString("content"u8, ""u8);
        chunk.WriteNull("refusal"u8);
        EndChunk(chunk, call, null);
        await call.EndEventAsync();

        if (call.ToolCall is { } toolCall)
        {
            await StreamToolCallAsync(call, id, toolCall, simulator.Time);
        }
        else
        {
            var chunks = call.Chunks();
            while (chunks.TryNext(out var delta))
            {
                await call.PauseAsync(simulator.Time);
                chunk = call.BeginEvent(default);
                StartChunk(chunk, call, id);
                chunk.WriteString("content"u8, delta.Span);
                EndChunk(chunk, call, null);
                await call.EndEventAsync(content: true);
            }
        }

        chunk = call.BeginEvent(default);
        StartChunk(chunk, call, id);
        EndChunk(chunk, call, finish);
        await call.EndEventAsync();

        if (call.IncludeUsage)
        {
            chunk = call.BeginEvent(default);
            chunk.WriteStartObject();
            WriteHeader(chunk, call, id, "chat.completion.chunk"u8);
            chunk.WriteStartArray("choices"u8);
            chunk.WriteEndArray();
            WriteUsage(chunk, call);
            chunk.WriteEndObject();
            await call.EndEventAsync();
        }

        await call.WriteDoneAsync();
    }

    /// <summary>As OpenAI streams a tool call: id, type and name first with empty arguments, then the arguments in pieces.</summary>
    private static async Task StreamToolCallAsync(SimulatedCall call, string id, ToolCallPlan tool, TimeProvider time)
    {
        var chunk = call.BeginEvent(default);
        StartChunk(chunk, call, id);
        WriteToolCallDelta(chunk, tool, first: true, ReadOnlySpan<char>.Empty);
        EndChunk(chunk, call, null);
        await call.EndEventAsync(content: true);

        foreach (var piece in tool.ArgumentPieces())
        {
            await call.PauseAsync(time);
            chunk = call.BeginEvent(default);
            StartChunk(chunk, call, id);
            WriteToolCallDelta(chunk, tool, first: false, piece.Span);
            EndChunk(chunk, call, null);
            await call.EndEventAsync(content: true);
        }
    }

    private static void WriteToolCallDelta(Utf8JsonWriter chunk, ToolCallPlan tool, bool first, ReadOnlySpan<char> arguments)
    {
        chunk.WriteStartArray("tool_calls"u8);
        chunk.WriteStartObject();
        chunk.WriteNumber("index"u8, 0);
        if (first)
        {
            chunk.WriteString("id"u8, tool.Id);
            chunk.WriteString("type"u8, "function"u8);
        }

        chunk.WriteStartObject("function"u8);
        if (first)
        {
            chunk.WriteString("name"u8, tool.Name);
        }

        chunk.WriteString("arguments"u8, arguments);
        chunk.WriteEndObject();
        chunk.WriteEndObject();
        chunk.WriteEndArray();
    }

    private static void WriteHeader(Utf8JsonWriter json, SimulatedCall call, string id, ReadOnlySpan<byte> objectType)
    {
        json.WriteString("id"u8, id);
        json.WriteString("object"u8, objectType);
        json.WriteNumber("created"u8, call.Created);
        json.WriteString("model"u8, call.Model);
        json.WriteString("system_fingerprint"u8, Fingerprint);
    }

    /// <summary>Opens a chunk up to its delta object.</summary>
    private static void StartChunk(Utf8JsonWriter json, SimulatedCall call, string id)
    {
        json.WriteStartObject();
        WriteHeader(json, call, id, "chat.completion.chunk"u8);
        json.WriteStartArray("choices"u8);
        json.WriteStartObject();
        json.WriteNumber("index"u8, 0);
        json.WriteStartObject("delta"u8);
    }

    /// <summary>Closes a chunk opened by <see cref="StartChunk"/>; with include_usage, as OpenAI does, every chunk before
    /// the usage chunk carries <c>"usage": null</c>.</summary>
    private static void EndChunk(Utf8JsonWriter json, SimulatedCall call, string? finish)
    {
        json.WriteEndObject();
        json.WriteNull("logprobs"u8);
        json.WriteString("finish_reason"u8, finish);

        json.WriteEndObject();
        json.WriteEndArray();
        if (call.IncludeUsage)
        {
            json.WriteNull("usage"u8);
        }

        json.WriteEndObject();
    }

    private static void WriteUsage(Utf8JsonWriter json, SimulatedCall call)
    {
        var output = call.OutputTokens;
        json.WriteStartObject("usage"u8);
        json.WriteNumber("prompt_tokens"u8, call.InputTokens);
        json.WriteNumber("completion_tokens"u8, output);
        json.WriteNumber("total_tokens"u8, (long)call.InputTokens + output);
        json.WriteStartObject("prompt_tokens_details"u8);
        json.WriteNumber("cached_tokens"u8, 0);
        json.WriteNumber("audio_tokens"u8, 0);
        json.WriteEndObject();
        json.WriteStartObject("completion_tokens_details"u8);
        json.WriteNumber("reasoning_tokens"u8, 0);
        json.WriteNumber("audio_tokens"u8, 0);
        json.WriteNumber("accepted_prediction_tokens"u8, 0);
        json.WriteNumber("rejected_prediction_tokens"u8, 0);
        json.WriteEndObject();
        json.WriteEndObject();
    }
}
