using System.Collections.Concurrent;
using System.Globalization;
using IronAspire.Contracts.Events;

namespace IronAspire.Budget.Budgets;

/// <summary>
/// Turns what the settle script flagged (each threshold and exhaustion once per period) into the contract events
/// BudgetThresholdCrossed and BudgetExhausted: logged, and kept in a bounded feed served at /v1/budget-events.
/// </summary>
public sealed partial class BudgetEvents(ILogger<BudgetEvents> logger)
{
    private const int FeedSize = 1000;
    private readonly ConcurrentQueue<IIronAspireEvent> _feed = new();

    public IReadOnlyCollection<IIronAspireEvent> Recent => _feed.ToArray();

    /// <param name="flag">"{scope}:{50|80|100|exhausted}:{spentNanos}:{limitNanos}" from the settle script.</param>
    public void Crossed(string flag, string agentId, string? projectId, DateTimeOffset now)
    {
        var parts = flag.Split(':');
        var scope = parts[0] == "project" ? BudgetScope.Project : BudgetScope.Agent;
        var id = scope == BudgetScope.Project ? projectId ?? "" : agentId;
        var spent = Nanos.ToUsd(long.Parse(parts[2], CultureInfo.InvariantCulture));
        var limit = Nanos.ToUsd(long.Parse(parts[3], CultureInfo.InvariantCulture));
        IIronAspireEvent evt = parts[1] == "exhausted"
            ? new BudgetExhausted(Guid.CreateVersion7(), scope, id, spent, limit, "", now)
            : new BudgetThresholdCrossed(Guid.CreateVersion7(), scope, id, int.Parse(parts[1], CultureInfo.InvariantCulture), spent, limit, "", now);
        LogEvent(logger, evt.GetType().Name, scope, id, parts[1], spent, limit);
        _feed.Enqueue(evt);
        while (_feed.Count > FeedSize && _feed.TryDequeue(out _))
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Event}: {Scope} budget {BudgetId} at {Threshold} (spent {SpentUsd} of {LimitUsd} USD)")]
    private static partial void LogEvent(ILogger logger, string @event, BudgetScope scope, string budgetId, string threshold, decimal spentUsd, decimal limitUsd);
}
