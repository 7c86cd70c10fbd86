using System.Diagnostics;
using IronAspire.Contracts.Events;
using IronAspire.EventBus;
using IronAspire.Router.Providers;
using IronAspire.Router.Proxy;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IronAspire.Router.Governance;

/// <summary>
/// The events the Router publishes: each call's (completed or failed, with its real cost once the budget store priced
/// it, and its PII findings per direction), in batches — one <see cref="CallEventBatch"/> per
/// <see cref="CallEventOptions.BatchSize"/> calls or <see cref="CallEventOptions.FlushIntervalMs"/>, whichever comes
/// first — and circuit changes one by one. Publishing never blocks the request path: the event bus buffers while
/// RabbitMQ is away. Stopped after the settlements and before the event bus, so a stopping Router hands its last
/// partial batch to the bus, which flushes it.
/// </summary>
public sealed partial class RouterEvents : IHostedService, IDisposable
{
    private static readonly ActivitySource ActivitySource = new("IronAspire.Router.Events");

    private readonly IEventPublisher _publisher;
    private readonly TimeProvider _time;
    private readonly ILogger<RouterEvents> _logger;
    private readonly CallEventBuffer _buffer;
    private readonly TimeSpan _flushInterval;
    private readonly ITimer _flushTimer;
    private readonly Lock _stopGate = new();
    private volatile bool _stopped;

    public RouterEvents(IEventPublisher publisher, IOptions<RouterOptions> options, TimeProvider time, ILogger<RouterEvents> logger)
    {
        _publisher = publisher;
        _time = time;
        _logger = logger;
        _buffer = new CallEventBuffer(options.Value.Events.BatchSize);
        _flushInterval = TimeSpan.FromMilliseconds(options.Value.Events.FlushIntervalMs);
        _flushTimer = time.CreateTimer(_ => Flush(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The call's events; <paramref name="costUsd"/> is the committed cost (0 when nothing was billed).</summary>
    public void CallFinished(LlmCall call, decimal costUsd)
    {
        var now = _time.GetUtcNow();
        var usage = call.BillableUsage();
        var latency = _time.GetElapsedTime(call.StartTimestamp, call.EndTimestamp ?? _time.GetTimestamp()).TotalMilliseconds;
        var provider = call.Provider?.Name ?? "";
        var model = call.Request?.Model ?? "";
        var servingModel = call.ServingModel is { } serving && serving != model ? serving : null;
        LlmRequestCompleted? completed = null;
        LlmRequestFailed? failed = null;
        if (call.Succeeded)
        {
            completed = new LlmRequestCompleted(Guid.CreateVersion7(), call.RequestId, call.Agent.AgentId, call.Agent.ProjectId, provider, model,
                usage.InputTokens, usage.CachedInputTokens, usage.OutputTokens, costUsd, latency, call.TimeToFirstByteMs,
                call.Request?.Stream == true, call.StatusCode, now, servingModel);
        }
        else
        {
            failed = new LlmRequestFailed(Guid.CreateVersion7(), call.RequestId, call.Agent.AgentId, call.Agent.ProjectId, provider, model,
                usage.InputTokens, usage.CachedInputTokens, usage.OutputTokens, costUsd, latency, call.TimeToFirstByteMs,
                call.Request?.Stream == true, call.StatusCode, call.ErrorType ?? "upstream_error", now, servingModel);
        }

        IReadOnlyList<PiiDetected> pii = [];
        if (call.RequestPiiCounts is { Count: > 0 } requestCounts)
        {
            pii = [new PiiDetected(Guid.CreateVersion7(), call.RequestId, call.Agent.AgentId, call.Agent.ProjectId,
                PiiDirection.Request, requestCounts, call.RequestPiiAction ?? "audit", now)];
        }

        if (call.ResponseRedaction is PiiResponseRedaction response && response.Counts() is { Count: > 0 } responseCounts)
        {
            pii = [.. pii, new PiiDetected(Guid.CreateVersion7(), call.RequestId, call.Agent.AgentId, call.Agent.ProjectId,
                PiiDirection.Response, responseCounts, response.Action, now)];
        }

        var events = new CallEvents(completed, failed, pii);
        var trace = Activity.Current?.Context ?? default;
        if (_stopped || _flushInterval == TimeSpan.Zero)
        {
            // Nothing would flush a partial batch any more (or batching is off): the call goes out on its own.
            PublishBatch(new PendingBatch([events], [trace]));
            return;
        }

        var (full, first) = _buffer.Add(events, trace);
        if (full is not null)
        {
            PublishBatch(full);
        }
        else if (first)
        {
            _flushTimer.Change(_flushInterval, Timeout.InfiniteTimeSpan);
        }
    }

    public void CircuitChanged(string provider, string state, string? reason) =>
        Publish(new CircuitStateChanged(Guid.CreateVersion7(), provider, state, reason, _time.GetUtcNow()));

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken)
    {
        // A host may stop this twice at once (a test host stopped from outside stops itself too): the second call returns
        // only once the first has handed the last batch to the publisher, whose own stop comes next.
        lock (_stopGate)
        {
            _stopped = true;
            _flushTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            Flush();
        }

        return Task.CompletedTask;
    }

    public void Dispose() => _flushTimer.Dispose();

    private void Flush()
    {
        if (_buffer.Take() is { } batch)
        {
            PublishBatch(batch);
        }
    }

    private void PublishBatch(PendingBatch batch)
    {
        // The publish (and the consumers' work after it) continues the first call's trace and links the others', so
        // each call's trace still reaches the broker and the consumers.
        ActivityLink[]? links = null;
        if (batch.Traces.Count > 1 && ActivitySource.HasListeners())
        {
            links = new ActivityLink[batch.Traces.Count - 1];
            for (var i = 1; i < batch.Traces.Count; i++)
            {
                links[i - 1] = new ActivityLink(batch.Traces[i]);
            }
        }

        using var activity = ActivitySource.StartActivity("call events batch", ActivityKind.Internal, batch.Traces[0], links: links);
        activity?.SetTag("ironaspire.calls", batch.Calls.Count);
        Publish(new CallEventBatch(Guid.CreateVersion7(), batch.Calls, _time.GetUtcNow()));
    }

    private void Publish<T>(T message) where T : class, IIronAspireEvent
    {
        var pending = _publisher.PublishAsync(message);
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
            LogPublishFailed(_logger, eventType, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Publishing a {EventType} event failed")]
    private static partial void LogPublishFailed(ILogger logger, string eventType, Exception ex);
}
