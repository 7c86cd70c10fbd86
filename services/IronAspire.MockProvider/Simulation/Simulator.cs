using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace IronAspire.MockProvider.Simulation;

public enum WireFormat
{
    OpenAI,
    Anthropic,
}

/// <summary>
/// The common part of every simulated endpoint: parse and validate the body like the real APIs, record the call,
/// inject the configured faults and latency, and work out the reply (normal or echo, capped by max tokens).
/// </summary>
public sealed class Simulator(IOptionsMonitor<MockOptions> options, FaultState faults, MockStats stats, TimeProvider time)
{
    private const string NormalReply =
        "IronAspire mock provider here. This is a deterministic reply used for demos, tests and benchmarks. " +
        "It has ordinary English words so token counts look realistic, and it repeats when a longer answer is needed. ";

    public TimeProvider Time => time;

    /// <summary>Returns the call, or null when a response (an error or an injected fault) has already been sent.</summary>
    public async Task<SimulatedCall?> BeginAsync(HttpContext context, string endpoint, WireFormat format, params string[] maxTokensFields)
    {
        var request = context.Request;
        JsonObject? root;
        try
        {
            root = await JsonNode.ParseAsync(request.Body, cancellationToken: context.RequestAborted) as JsonObject;
        }
        catch (JsonException ex)
        {
            stats.Record(endpoint, null, Authorization(request), null);
            await WriteErrorAsync(context, format, 400, $"We could not parse the JSON body of your request. ({ex.Message})");
            return null;
        }

        if (root is null)
        {
            await WriteErrorAsync(context, format, 400, "The request body must be a JSON object.");
            return null;
        }

        var model = root["model"] is JsonValue m && m.GetValueKind() == JsonValueKind.String ? m.GetValue<string>() : null;
        stats.Record(endpoint, model, Authorization(request), root.ToJsonString());
        if (string.IsNullOrEmpty(model))
        {
            await WriteErrorAsync(context, format, 400, "you must provide a model parameter");
            return null;
        }

        var settings = options.CurrentValue;
        var fault = ReadHeaderFault(request) ?? faults.Take(model);
        var latency = Header(request, "x-mock-latency-ms") ?? fault?.LatencyMs ?? settings.LatencyMs;
        if (latency > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(latency), time, context.RequestAborted);
        }

        if (fault is not null && await InjectAsync(context, format, fault))
        {
            return null;
        }

        var echo = string.Equals(request.Headers["x-mock-mode"], "echo", StringComparison.OrdinalIgnoreCase) || settings.Mode == "echo";
        var inputText = new StringBuilder();
        var messages = CollectInput(root, inputText);
        var maxTokens = int.MaxValue;
        foreach (var field in maxTokensFields)
        {
            if (root[field] is JsonValue cap && cap.TryGetValue<int>(out var c) && c > 0)
            {
                maxTokens = c;
                break;
            }
        }

        var reply = echo ? LastUserText(root) : Repeat(NormalReply, settings.ReplyTokens * 4);
        if (TokenCount.Of(reply) > maxTokens)
        {
            reply = reply[..(maxTokens * 4)];
        }

        return new SimulatedCall
        {
            Root = root,
            Model = model,
            Stream = root["stream"] is JsonValue s && s.GetValueKind() == JsonValueKind.True,
            InputTokens = TokenCount.Of(inputText.ToString()) + messages * TokenCount.PerMessageOverhead,
            Reply = reply,
            ChunkDelayMs = Header(request, "x-mock-chunk-delay-ms") ?? fault?.ChunkDelayMs ?? settings.ChunkDelayMs,
            WordsPerChunk = settings.WordsPerChunk,
            DropMidStream = fault?.Mode == "drop-mid-stream",
        };
    }

    public static async Task WriteErrorAsync(HttpContext context, WireFormat format, int status, string message, int? retryAfter = null)
    {
        var response = context.Response;
        response.StatusCode = status;
        if (retryAfter is { } seconds)
        {
            response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }

        var type = status switch
        {
            400 => "invalid_request_error",
            401 => "authentication_error",
            404 => "not_found_error",
            429 => "rate_limit_error",
            529 or 503 => format == WireFormat.Anthropic ? "overloaded_error" : "server_error",
            _ => format == WireFormat.Anthropic ? "api_error" : "server_error",
        };
        object body = format == WireFormat.Anthropic
            ? new { type = "error", error = new { type, message } }
            : new { error = new { message, type, code = (string?)null, param = (string?)null } };
        await response.WriteAsJsonAsync(body, context.RequestAborted);
    }

    /// <summary>Applies a fault; returns true when it answered (or dropped) the request itself.</summary>
    private async Task<bool> InjectAsync(HttpContext context, WireFormat format, FaultSettings fault)
    {
        if (fault.ErrorRate is { } rate && Random.Shared.NextDouble() >= rate)
        {
            return false;
        }

        switch (fault.Mode)
        {
            case "timeout":
                // Hold the request until the client gives up.
                await Task.Delay(Timeout.InfiniteTimeSpan, time, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                return true;
            case "drop":
                context.Abort();
                return true;
            case "drop-mid-stream":
                return false;
        }

        if (fault.Status is { } status)
        {
            await WriteErrorAsync(context, format, status, $"Injected fault: HTTP {status}.", fault.RetryAfterSeconds);
            return true;
        }

        return false;
    }

    private static FaultSettings? ReadHeaderFault(HttpRequest request)
    {
        var spec = request.Headers["x-mock-fault"].ToString();
        var rate = double.TryParse(request.Headers["x-mock-error-rate"], NumberStyles.Float, CultureInfo.InvariantCulture, out var r) ? r : (double?)null;
        var retryAfter = Header(request, "x-mock-retry-after");
        if (spec.Length == 0)
        {
            return null;
        }

        if (spec.StartsWith("status:", StringComparison.OrdinalIgnoreCase)
            && int.TryParse(spec.AsSpan(7), NumberStyles.Integer, CultureInfo.InvariantCulture, out var status))
        {
            return new FaultSettings(Status: status, ErrorRate: rate, RetryAfterSeconds: retryAfter);
        }

        return new FaultSettings(Mode: spec.ToLowerInvariant(), ErrorRate: rate);
    }

    private static int? Header(HttpRequest request, string name) =>
        int.TryParse(request.Headers[name], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= 0 ? value : null;

    private static string? Authorization(HttpRequest request)
    {
        var value = request.Headers.Authorization.ToString();
        if (value.Length == 0)
        {
            value = request.Headers["x-api-key"].ToString();
        }

        return value.Length == 0 ? null : value;
    }

    /// <summary>All input text (messages, system, Responses input, embedding input) for the token count; returns the number of messages.</summary>
    private static int CollectInput(JsonObject root, StringBuilder text)
    {
        var messages = 0;
        Visit(root["system"]);
        Visit(root["instructions"]);
        if (root["messages"] is JsonArray list)
        {
            foreach (var message in list)
            {
                messages++;
                Visit(message?["content"]);
            }
        }

        Visit(root["input"]);
        return messages;

        void Visit(JsonNode? node)
        {
            switch (node)
            {
                case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                    text.Append(v.GetValue<string>());
                    break;
                case JsonArray array:
                    foreach (var item in array)
                    {
                        Visit(item);
                    }

                    break;
                case JsonObject obj:
                    Visit(obj["text"]);
                    Visit(obj["content"]);
                    break;
            }
        }
    }

    private static string LastUserText(JsonObject root)
    {
        JsonNode? content = null;
        if (root["messages"] is JsonArray messages)
        {
            content = messages.LastOrDefault(m => m?["role"]?.GetValue<string>() == "user")?["content"];
        }
        else if (root["input"] is { } input)
        {
            content = input is JsonArray items ? items.LastOrDefault(i => i?["role"]?.GetValue<string>() == "user")?["content"] ?? items.LastOrDefault() : input;
        }

        var text = new StringBuilder();
        Append(content);
        return text.Length > 0 ? text.ToString() : "(nothing to echo)";

        void Append(JsonNode? node)
        {
            switch (node)
            {
                case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                    text.Append(v.GetValue<string>());
                    break;
                case JsonArray parts:
                    foreach (var part in parts)
                    {
                        Append(part?["text"] ?? (part is JsonValue ? part : null));
                    }

                    break;
                case JsonObject obj:
                    Append(obj["text"] ?? obj["content"]);
                    break;
            }
        }
    }

    private static string Repeat(string text, int length)
    {
        var builder = new StringBuilder(length + text.Length);
        while (builder.Length < length)
        {
            builder.Append(text);
        }

        return builder.ToString(0, length).TrimEnd();
    }
}
