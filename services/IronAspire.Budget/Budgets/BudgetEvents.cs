using System.Collections.Concurrent;
using System.Globalization;
using IronAspire.Contracts.Events;

namespace IronAspire.Budget.Budgets;

/// <summary>Where budget events leave the service: the event bus (one registration of this interface wires it).</summary>
public interface IBudgetEventPublisher
{
    /// <summary>Hands the event to the bus's buffer; completes at once unless the buffer is full.</summary>
    ValueTask PublishAsync(BudgetThresholdCrossed budgetEvent);

    ValueTask PublishAsync(BudgetExhausted budgetEvent);
}

/// <summary>
/// Turns what the scripts flagged (each threshold and exhaustion once per period, decided atomically in Redis) into the
/// contract events BudgetThresholdCrossed and BudgetExhausted: published, logged, and kept in a bounded feed served
/// at /v1/budget-events.
/// </summary>
public sealed partial class BudgetEvents(ILogger<BudgetEvents> logger, IBudgetEventPublisher? publisher = null)
{
    private const int FeedSize = 1000;
    private readonly ConcurrentQueue<IIronAspireEvent> _feed = new();

    public IReadOnlyCollection<IIronAspireEvent> Recent => _feed.ToArray();

    /// <param name="flag">"{scope}|{50|80|100|exhausted}|{spentNanos}|{limitNanos}|{counterKey}" from a script.</param>
    /// <param name="agentId">The agent of the call; <paramref name="projectId"/> its project, if any.</param>
    public async ValueTask CrossedAsync(string flag, string agentId, string? projectId, DateTimeOffset now)
    {
        var parts = flag.Split('|', 5);
        var scope = parts[0] == "project" ? BudgetScope.Project : BudgetScope.Agent;
        var id = scope == BudgetScope.Project ? projectId ?? "" : agentId;
        var spent = Nanos.ToUsd(long.Parse(parts[2], CultureInfo.InvariantCulture));
        var limit = Nanos.ToUsd(long.Parse(parts[3], CultureInfo.InvariantCulture));
        var period = BudgetPeriods.Describe(BudgetKeys.PeriodOf(parts[4]));
        IIronAspireEvent evt = parts[1] == "exhausted"
            ? new BudgetExhausted(Guid.CreateVersion7(), scope, id, spent, limit, period, now)
            : new BudgetThresholdCrossed(Guid.CreateVersion7(), scope, id, int.Parse(parts[1], CultureInfo.InvariantCulture), spent, limit, period, now);
        LogEvent(logger, evt.GetType().Name, scope, id, parts[1], spent, limit, period);
        _feed.Enqueue(evt);
        while (_feed.Count > FeedSize && _feed.TryDequeue(out _))
        {
        }

        switch (evt)
        {
            case BudgetThresholdCrossed crossed when publisher is not null:
                await publisher.PublishAsync(crossed);
                break;
            case BudgetExhausted exhausted when publisher is not null:
                await publisher.PublishAsync(exhausted);
                break;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Event}: {Scope} budget {BudgetId} at {Threshold} (spent {SpentUsd} of {LimitUsd} USD, period {Period})")]
    private static partial void LogEvent(ILogger logger, string @event, BudgetScope scope, string budgetId, string threshold, decimal spentUsd, decimal limitUsd, string period);
}
