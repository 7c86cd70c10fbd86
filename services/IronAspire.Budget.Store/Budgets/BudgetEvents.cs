using System.Collections.Concurrent;
using System.Globalization;
using IronAspire.Contracts.Events;
using IronAspire.EventBus;

namespace IronAspire.Budget.Budgets;

/// <summary>
/// Turns what the scripts flagged (each threshold and exhaustion once per period, decided atomically in Redis) into the
/// contract events BudgetThresholdCrossed and BudgetExhausted: published on the event bus (MassTransit over RabbitMQ;
/// its buffer keeps them while the broker is away), logged, and kept in a bounded feed served at /v1/budget-events.
/// </summary>
public sealed partial class BudgetEvents
{
    private const int FeedSize = 1000;
    private readonly ConcurrentQueue<IIronAspireEvent> _feed = new();

    private readonly IEventPublisher? _publisher;
    private readonly ILogger<BudgetEvents> _logger;

    /// <param name="publisher">The event bus; absent only when no <c>ConnectionStrings:messaging</c> is configured.</param>
    public BudgetEvents(ILogger<BudgetEvents> logger, IEventPublisher? publisher = null)
    {
        _logger = logger;
        _publisher = publisher;
        if (publisher is null)
        {
            LogNoBus(logger);
        }
    }

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
        LogEvent(_logger, evt.GetType().Name, scope, id, parts[1], spent, limit, period);
        _feed.Enqueue(evt);
        while (_feed.Count > FeedSize && _feed.TryDequeue(out _))
        {
        }

        // Published by their own type, so consumers subscribe to BudgetThresholdCrossed / BudgetExhausted.
        if (_publisher is null)
        {
            return;
        }

        if (evt is BudgetExhausted exhausted)
        {
            await _publisher.PublishAsync(exhausted);
        }
        else
        {
            await _publisher.PublishAsync((BudgetThresholdCrossed)evt);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No ConnectionStrings:messaging: budget events are logged and served at /v1/budget-events, not published on the bus")]
    private static partial void LogNoBus(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Event}: {Scope} budget {BudgetId} at {Threshold} (spent {SpentUsd} of {LimitUsd} USD, period {Period})")]
    private static partial void LogEvent(ILogger logger, string @event, BudgetScope scope, string budgetId, string threshold, decimal spentUsd, decimal limitUsd, string period);
}
