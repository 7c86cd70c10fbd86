using System.Runtime.InteropServices;
using System.Text.Json;
using IronAspire.MockProvider.Wire;
using Microsoft.Extensions.Options;

namespace IronAspire.MockProvider.Simulation;

/// <summary>
/// The common part of every simulated endpoint: parse and validate the body like the real APIs, record the call,
/// inject faults and latency, and work out the reply (normal, echo or a tool call; capped by max tokens).
/// </summary>
public sealed partial class Simulator(
    IOptionsMonitor<MockOptions> options,
    FaultState faults,
    MockStats stats,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<Simulator> logger)
{
    public TimeProvider Time => time;

    /// <summary>Returns the call, or null when a response (an error or an injected fault) has already been sent.</summary>
    public async Task<SimulatedCall?> BeginAsync(HttpContext context, ProviderEndpoint endpoint)
    {
        var format = endpoint.Format();
        var request = context.Request;
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, default, context.RequestAborted);
        }
        catch (JsonException ex)
        {
            stats.Record(endpoint, null, request, default);
            await ProviderError.WriteAsync(context, format, 400, $"We could not parse the JSON body of your request. ({ex.Message})");
            return null;
        }

        var keep = false;
        try
        {
            var root = document.RootElement;
            var settings = options.CurrentValue;
            var model = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("model"u8, out var m) && m.ValueKind == JsonValueKind.String
                ? m.GetString()
                // Azure OpenAI names the model by the deployment in the URL.
                : context.GetRouteValue("deployment") as string;
            stats.Record(endpoint, model, request, settings.RecordLastRequestBody ? JsonMarshal.GetRawUtf8Value(root) : default);
            if (root.ValueKind != JsonValueKind.Object)
            {
                await ProviderError.WriteAsync(context, format, 400, "The request body must be a JSON object.");
                return null;
            }

            if (string.IsNullOrEmpty(model))
            {
                await ProviderError.WriteAsync(context, format, 400,
                    format == WireFormat.Anthropic ? "model: Field required" : "you must provide a model parameter", param: "model");
                return null;
            }

            var (handled, controls, fault) = await ApplyFaultsAsync(context, format, model);
            if (handled)
            {
                return null;
            }

            if (Validate(root, endpoint, out var maxTokens) is { } invalid)
            {
                await ProviderError.WriteAsync(context, format, 400, invalid.Message, param: invalid.Param);
                return null;
            }

            var call = new SimulatedCall(context, document, endpoint, model, time.GetUtcNow().ToUnixTimeSeconds())
            {
                Stream = endpoint.Replies() && root.TryGetProperty("stream"u8, out var stream) && stream.ValueKind == JsonValueKind.True,
                InputTokens = RequestText.InputTokens(root, endpoint),
                MaxOutputTokens = maxTokens,
                ChunkDelayMs = controls.ChunkDelayMs ?? fault?.ChunkDelayMs ?? settings.ChunkDelayMs,
                ChunkSize = controls.ChunkSize ?? settings.ChunkSize,
                DropMidStream = fault?.Mode == FaultSettings.DropMidStream,
            };

            if (endpoint.Replies())
            {
                call.ToolCall = ToolCallPlan.For(root, endpoint);
                if (call.ToolCall is null)
                {
                    var truncated = false;
                    call.Reply = controls.Echo ?? settings.Mode == "echo"
                        ? ReplyText.Echo(RequestText.LastUserText(root), maxTokens, out truncated)
                        : ReplyText.Normal(Math.Min(settings.ReplyTokens, maxTokens));
                    call.Truncated = truncated;
                }
            }

            keep = true;
            return call;
        }
        finally
        {
            if (!keep)
            {
                document.Dispose();
            }
        }
    }

    /// <summary>For endpoints without a body (model lists): records the call and applies faults; false when already answered.</summary>
    public async Task<bool> BeginWithoutBodyAsync(HttpContext context, ProviderEndpoint endpoint, WireFormat format, string? model)
    {
        stats.Record(endpoint, model, context.Request, default);
        var (handled, _, _) = await ApplyFaultsAsync(context, format, model);
        return !handled;
    }

    /// <summary>
    /// Reads the <c>x-mock-*</c> headers and the admin faults, waits out the latency and injects the fault.
    /// <c>handled</c> is true when the request has been answered (or dropped) already.
    /// </summary>
    public async Task<(bool Handled, RequestControls Controls, FaultSettings? Fault)> ApplyFaultsAsync(HttpContext context, WireFormat format, string? model)
    {
        if (RequestControls.TryRead(context.Request, out var controls) is { } error)
        {
            await ProviderError.WriteAsync(context, format, 400, error);
            return (true, controls, null);
        }

        var fault = controls.Fault ?? faults.Take(model);
        var latency = controls.LatencyMs ?? fault?.LatencyMs ?? options.CurrentValue.LatencyMs;
        if (latency > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(latency), time, context.RequestAborted);
        }

        if (fault is null || !fault.Fails)
        {
            return (false, controls, fault);
        }

        if (!fault.Strikes())
        {
            // Spared by the error rate: an ordinary call, at the fault's latency.
            return (false, controls, null);
        }

        LogFault(logger, fault.Mode ?? $"status:{fault.Status ?? 500}", context.Request.Path, model);
        switch (fault.Mode)
        {
            case FaultSettings.Timeout:
                await HoldUntilAbortedAsync(context);
                return (true, controls, fault);
            case FaultSettings.Drop:
                context.Abort();
                return (true, controls, fault);
            case FaultSettings.DropMidStream:
                return (false, controls, fault);
        }

        var status = fault.Status ?? 500;
        await ProviderError.WriteAsync(context, format, status, $"Injected fault: HTTP {status}.", fault.RetryAfterSeconds);
        return (true, controls, fault);
    }

    /// <summary>Never answers: waits until the client gives up (or the simulator stops, then closes the connection).</summary>
    private async Task HoldUntilAbortedAsync(HttpContext context)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, time, linked.Token);
        }
        catch (OperationCanceledException)
        {
        }

        context.Abort();
    }

    private readonly record struct Invalid(string Message, string? Param);

    /// <summary>The checks the real APIs make on the fields the simulator uses; <paramref name="maxTokens"/> is the cap on output.</summary>
    private static Invalid? Validate(JsonElement root, ProviderEndpoint endpoint, out int maxTokens)
    {
        maxTokens = int.MaxValue;
        switch (endpoint)
        {
            case ProviderEndpoint.ChatCompletions:
                if (!root.TryGetProperty("messages"u8, out var chat) || chat.ValueKind != JsonValueKind.Array)
                {
                    return new Invalid("Missing required parameter: 'messages'.", "messages");
                }

                if (chat.GetArrayLength() == 0)
                {
                    return new Invalid("Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.", "messages");
                }

                return MaxTokens(root, "max_completion_tokens", ref maxTokens) ?? MaxTokens(root, "max_tokens", ref maxTokens);
            case ProviderEndpoint.Responses:
                if (!root.TryGetProperty("input"u8, out _))
                {
                    return new Invalid("Missing required parameter: 'input'.", "input");
                }

                return MaxTokens(root, "max_output_tokens", ref maxTokens);
            case ProviderEndpoint.Embeddings:
                if (!root.TryGetProperty("input"u8, out var input)
                    || input.ValueKind is not (JsonValueKind.String or JsonValueKind.Array)
                    || (input.ValueKind == JsonValueKind.String && input.ValueEquals(""u8))
                    || (input.ValueKind == JsonValueKind.Array && input.GetArrayLength() == 0))
                {
                    return new Invalid("'input' must be a non-empty string or array of strings or tokens.", "input");
                }

                return null;
            case ProviderEndpoint.Messages or ProviderEndpoint.CountTokens:
                if (!root.TryGetProperty("messages"u8, out var messages) || messages.ValueKind != JsonValueKind.Array)
                {
                    return new Invalid("messages: Field required", null);
                }

                if (endpoint == ProviderEndpoint.Messages && !root.TryGetProperty("max_tokens"u8, out _))
                {
                    return new Invalid("max_tokens: Field required", null);
                }

                return endpoint == ProviderEndpoint.Messages ? MaxTokens(root, "max_tokens", ref maxTokens) : null;
            default:
                return null;
        }
    }

    private static Invalid? MaxTokens(JsonElement root, string field, ref int maxTokens)
    {
        if (maxTokens != int.MaxValue || !root.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var cap) || cap < 1)
        {
            return new Invalid($"Invalid '{field}': expected an integer >= 1, but got {value.GetRawText()} instead.", field);
        }

        maxTokens = cap;
        return null;
    }

    [LoggerMessage(LogLevel.Information, "Injecting fault {Fault} into {Path} for model {Model}")]
    private static partial void LogFault(ILogger logger, string fault, PathString path, string? model);
}
