using System.Globalization;
using IronAspire.Contracts.Events;
using MassTransit;

namespace IronAspire.AgentSupervisor.Live;

/// <summary>
/// The Supervisor's own queue of IronAspire events: each one updates the counters, goes to the live feed, and
/// <see cref="BudgetExhausted"/> stops the agents on that budget. The Router's calls come in batches
/// (<see cref="CallEventBatch"/>, one message for many calls); each call counts once by its own events' ids.
/// </summary>
public sealed class BusEventsConsumer(AgentActivity activity, LiveFeed feed, AgentRunner runner, AlertBook alerts, ILogger<BusEventsConsumer> logger) :
    IConsumer<CallEventBatch>,
    IConsumer<LlmRequestCompleted>,
    IConsumer<LlmRequestFailed>,
    IConsumer<PiiDetected>,
    IConsumer<BudgetThresholdCrossed>,
    IConsumer<BudgetExhausted>,
    IConsumer<CircuitStateChanged>
{
    public Task Consume(ConsumeContext<CallEventBatch> context)
    {
        foreach (var call in context.Message.Calls ?? [])
        {
            if (call.Completed is { } completed)
            {
                Completed(completed);
            }
            else if (call.Failed is { } failed)
            {
                Failed(failed);
            }

            foreach (var detection in call.PiiDetected ?? [])
            {
                Pii(detection);
            }
        }

        return Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<LlmRequestCompleted> context)
    {
        Completed(context.Message);
        return Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<LlmRequestFailed> context)
    {
        Failed(context.Message);
        return Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<PiiDetected> context)
    {
        Pii(context.Message);
        return Task.CompletedTask;
    }

    private void Completed(LlmRequestCompleted call)
    {
        if (activity.FirstSeen(call.EventId))
        {
            activity.Completed(call);
            feed.Publish(new LiveEvent("call.completed", new
            {
                call.AgentId, call.ProjectId, call.RequestId, call.Provider, call.Model, call.InputTokens, call.OutputTokens,
                call.CostUsd, call.LatencyMs, call.Streamed, call.StatusCode, call.Timestamp,
            }));
        }
    }

    private void Failed(LlmRequestFailed call)
    {
        if (activity.FirstSeen(call.EventId))
        {
            activity.Failed(call);
            feed.Publish(new LiveEvent("call.failed", new
            {
                call.AgentId, call.ProjectId, call.RequestId, call.Provider, call.Model, call.ErrorType, call.StatusCode,
                call.CostUsd, call.LatencyMs, call.Timestamp,
            }));
        }
    }

    private void Pii(PiiDetected detection)
    {
        if (activity.FirstSeen(detection.EventId))
        {
            activity.Pii(detection);
            feed.Publish(new LiveEvent("pii.detected", new
            {
                detection.AgentId, detection.RequestId, Direction = detection.Direction.ToString(), detection.CountsByType,
                detection.Action, detection.Timestamp,
            }));
        }
    }

    public Task Consume(ConsumeContext<BudgetThresholdCrossed> context)
    {
        var threshold = context.Message;
        if (activity.FirstSeen(threshold.EventId))
        {
            feed.Publish(new LiveEvent("budget.threshold", new
            {
                Scope = threshold.Scope.ToString(), threshold.BudgetId, threshold.ThresholdPercent, threshold.SpentUsd,
                threshold.LimitUsd, threshold.Period, threshold.Timestamp,
            }));
            alerts.Raise(AlertKind.BudgetThreshold, threshold.BudgetId, threshold.ThresholdPercent.ToString(CultureInfo.InvariantCulture),
                $"{threshold.Scope} budget {threshold.ThresholdPercent} % used",
                $"{threshold.SpentUsd:0.######} of {threshold.LimitUsd:0.######} USD spent ({threshold.Period}).", threshold.Timestamp);
        }

        return Task.CompletedTask;
    }

    public async Task Consume(ConsumeContext<BudgetExhausted> context)
    {
        var exhausted = context.Message;
        if (activity.FirstSeen(exhausted.EventId))
        {
            feed.Publish(new LiveEvent("budget.exhausted", new
            {
                Scope = exhausted.Scope.ToString(), exhausted.BudgetId, exhausted.SpentUsd, exhausted.LimitUsd, exhausted.Period,
                exhausted.Timestamp,
            }));
            alerts.Raise(AlertKind.BudgetExhausted, exhausted.BudgetId, "", $"{exhausted.Scope} budget exhausted (100 %)",
                $"{exhausted.SpentUsd:0.######} of {exhausted.LimitUsd:0.######} USD spent ({exhausted.Period}); its agents are stopped.", exhausted.Timestamp);
        }

        // Not skipped for a redelivery: stopping is idempotent, and a redelivery means the first attempt may not have finished.
        logger.LogInformation("Budget {Scope} {BudgetId} exhausted: stopping its agents", exhausted.Scope, exhausted.BudgetId);
        await runner.BudgetExhaustedAsync(exhausted.Scope, exhausted.BudgetId, context.CancellationToken);
    }

    public Task Consume(ConsumeContext<CircuitStateChanged> context)
    {
        var change = context.Message;
        if (activity.FirstSeen(change.EventId))
        {
            activity.Circuit(change);
            feed.Publish(new LiveEvent("circuit.changed", new { change.Provider, change.State, change.Reason, change.Timestamp }));
            if (change.State is "Open" or "Isolated")
            {
                alerts.Raise(AlertKind.CircuitOpen, change.Provider, "", $"Provider {change.Provider}: circuit {change.State}",
                    change.Reason ?? "Calls to this provider are refused or sent to a fallback.", change.Timestamp);
            }
        }

        return Task.CompletedTask;
    }
}
