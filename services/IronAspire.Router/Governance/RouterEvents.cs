using IronAspire.Contracts.Events;
using IronAspire.EventBus;
using IronAspire.Router.Proxy;
using Microsoft.Extensions.Logging;

namespace IronAspire.Router.Governance;

/// <summary>
/// The events the Router publishes: one per call (completed or failed, with its real cost once the budget store
/// priced it), PII findings per direction, circuit changes. Publishing never blocks the request path: the event bus
/// buffers while RabbitMQ is away.
/// </summary>
public sealed partial class RouterEvents(IEventPublisher publisher, TimeProvider time, ILogger<RouterEvents> logger)
{
    /// <summary>The call's events; <paramref name="costUsd"/> is the committed cost (0 when nothing was billed).</summary>
    public void CallFinished(LlmCall call, decimal costUsd)
    {
        var now = time.GetUtcNow();
        var usage = call.BillableUsage();
        var latency = time.GetElapsedTime(call.StartTimestamp, call.EndTimestamp ?? time.GetTimestamp()).TotalMilliseconds;
        var provider = call.Provider?.Name ?? "";
        var model = call.Request?.Model ?? "";
        var servingModel = call.ServingModel is { } serving && serving != model ? serving : null;
        if (call.Succeeded)
        {
            Publish(new LlmRequestCompleted(Guid.CreateVersion7(), call.RequestId, call.Agent.AgentId, call.Agent.ProjectId, provider, model,
                usage.InputTokens, usage.CachedInputTokens, usage.OutputTokens, costUsd, latency, call.TimeToFirstByteMs,
                call.Request?.Stream == true, call.StatusCode, now, servingModel));
        }
        else
        {
            Publish(new LlmRequestFailed(Guid.CreateVersion7(), call.RequestId, call.Agent.AgentId, call.Agent.ProjectId, provider, model,
                usage.InputTokens, usage.CachedInputTokens, usage.OutputTokens, costUsd, latency, call.TimeToFirstByteMs,
                call.Request?.Stream == true, call.StatusCode, call.ErrorType ?? "upstream_error", now, servingModel));
        }

        if (call.RequestPiiCounts is { Count: > 0 } requestCounts)
        {
            Publish(new PiiDetected(Guid.CreateVersion7(), call.RequestId, call.Agent.AgentId, call.Agent.ProjectId,
                PiiDirection.Request, requestCounts, call.RequestPiiAction ?? "audit", now));
        }

        if (call.ResponseRedaction is PiiResponseRedaction response && response.Counts() is { Count: > 0 } responseCounts)
        {
            Publish(new PiiDetected(Guid.CreateVersion7(), call.RequestId, call.Agent.AgentId, call.Agent.ProjectId,
                PiiDirection.Response, responseCounts, response.Action, now));
        }
    }

    public void CircuitChanged(string provider, string state, string? reason) =>
        Publish(new CircuitStateChanged(Guid.CreateVersion7(), provider, state, reason, time.GetUtcNow()));

    private void Publish<T>(T message) where T : class, IIronAspireEvent
    {
        var pending = publisher.PublishAsync(message);
        if (!pending.IsCompletedSuccessfully)
        {
            _ = ObserveAsync(pending, typeof(T).Name);
        }
    }

    private async Task ObserveAsync(ValueTask pending, string eventType)
    {
        try
        {
            await pending;
        }
        catch (Exception ex)
        {
            LogPublishFailed(logger, eventType, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Publishing a {EventType} event failed")]
    private static partial void LogPublishFailed(ILogger logger, string eventType, Exception ex);
}
