using System.Diagnostics;
using System.Threading.Channels;
using IronAspire.Budget.Budgets;
using IronAspire.Budget.Pricing;
using IronAspire.Contracts.Budget;
using IronAspire.Router.Providers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IronAspire.Router.Governance;

/// <summary>
/// One reservation to settle once its call is over: commit with usage, or release when there is none.
/// <paramref name="Settled"/> gets the committed cost in USD (0 for a release, or when settling gave up; the price
/// table's cost of <paramref name="Usage"/> on <paramref name="Model"/> when the Router stopped before it could settle).
/// </summary>
public sealed record Settlement(string ReservationId, string Model, CommitRequest? Usage, DateTimeOffset ExpiresAt, Action<decimal> Settled);

/// <summary>
/// Settles reservations after the response went out (never on the client's time). A commit is retried with backoff
/// until it succeeds — past the reservation's deadline too, since the budget store still records a late commit
/// for a day; it is never dropped while the Router runs. At shutdown the queue is drained for at most
/// <see cref="RouterBudgetOptions.SettleOnStopSeconds"/>; what Redis still has not answered by then is given up so the
/// calls' events go out before the host ends: each is priced from the price table, and its reservation expires by itself.
/// </summary>
public sealed partial class BudgetSettlement(
    BudgetStore store,
    BudgetClientFactory budget,
    PriceTable prices,
    IOptions<RouterOptions> options,
    TimeProvider time,
    ILogger<BudgetSettlement> logger) : Microsoft.Extensions.Hosting.BackgroundService
{
    // Settling (the commit, then the call's event) belongs to the call's trace, though it runs after the response.
    private static readonly ActivitySource ActivitySource = new("IronAspire.Router.Settlement");

    private readonly Channel<(Settlement Settlement, ActivityContext Call)> _queue =
        Channel.CreateUnbounded<(Settlement, ActivityContext)>(new UnboundedChannelOptions { SingleReader = false });
    private readonly CancellationTokenSource _giveUp = new();
    private long _pending;

    /// <summary>The budget store keeps a settled-by-deadline reservation a day and still records a late commit.</summary>
    private static readonly TimeSpan LateCommitWindow = TimeSpan.FromHours(23);

    /// <summary>Settlements waiting or being retried (exported as a metric).</summary>
    public long Pending => Interlocked.Read(ref _pending);

    public void Enqueue(Settlement settlement)
    {
        Interlocked.Increment(ref _pending);
        _queue.Writer.TryWrite((settlement, Activity.Current?.Context ?? default));
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        // A few workers, so one slow retry does not hold up the others.
        Task.WhenAll(Enumerable.Range(0, 4).Select(_ => WorkAsync(stoppingToken)));

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // A host may stop this twice (a test host stopped from outside stops itself too): the deadline counts from the first.
        if (_queue.Writer.TryComplete())
        {
            _giveUp.CancelAfter(TimeSpan.FromSeconds(options.Value.Budget.SettleOnStopSeconds));
        }

        await base.StopAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _giveUp.Dispose();
        base.Dispose();
    }

    private async Task WorkAsync(CancellationToken stoppingToken)
    {
        await foreach (var (settlement, call) in _queue.Reader.ReadAllAsync(CancellationToken.None))
        {
            using var activity = ActivitySource.StartActivity("settle budget", ActivityKind.Internal, call);
            await SettleAsync(settlement, stoppingToken);
            Interlocked.Decrement(ref _pending);
        }
    }

    private async Task SettleAsync(Settlement settlement, CancellationToken stoppingToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            if (_giveUp.IsCancellationRequested)
            {
                GiveUpAtStop(settlement);
                return;
            }

            try
            {
                // Every answer is final (settled, already settled, late but recorded, not found, rejected);
                // only an exception (Redis or the Budget service unreachable) is worth another try.
                // Abandoned when the stop's deadline passes: a commit Redis does not answer must not hold the stop.
                settlement.Settled(await SettleOnceAsync(settlement).WaitAsync(_giveUp.Token));
                return;
            }
            catch (Exception ex)
            {
                // Any failure is retried (a torn Redis connection throws InvalidOperationException, not a
                // RedisException): an exception escaping this loop would stop the Router and lose the call's events.
                if (time.GetUtcNow() > settlement.ExpiresAt + LateCommitWindow)
                {
                    LogGaveUp(logger, settlement.ReservationId);
                    settlement.Settled(0m);
                    return;
                }

                LogRetry(logger, settlement.ReservationId, attempt, ex.Message);
                var delay = TimeSpan.FromMilliseconds(Math.Min(10_000, 100 * Math.Pow(2, Math.Min(attempt, 10))));
                try
                {
                    await Task.Delay(delay, time, stoppingToken.IsCancellationRequested ? _giveUp.Token : stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    // Shutting down: keep trying until SettleOnStopSeconds has passed (checked at the top of the loop).
                }
            }
        }
    }

    private void GiveUpAtStop(Settlement settlement)
    {
        var cost = settlement.Usage is { } usage && prices.Find(settlement.Model) is { } price
            ? Nanos.ToUsd(price.CostNanos(usage.InputTokens, usage.CachedInputTokens, usage.CacheWriteInputTokens, usage.OutputTokens))
            : 0m;
        LogUnsettledAtStop(logger, settlement.ReservationId, options.Value.Budget.SettleOnStopSeconds, cost);
        settlement.Settled(cost);
    }

    /// <summary>The committed cost in USD. Settled against Redis here, except a reservation the Budget service let through
    /// while Redis was down (fail-open), which only that service knows.</summary>
    private async Task<decimal> SettleOnceAsync(Settlement settlement)
    {
        if (!settlement.ReservationId.StartsWith(BudgetStore.OpenPrefix, StringComparison.Ordinal))
        {
            var outcome = settlement.Usage is { } commit
                ? await store.CommitAsync(settlement.ReservationId, commit)
                : await store.ReleaseAsync(settlement.ReservationId);
            if (outcome is null)
            {
                LogNotSettled(logger, settlement.ReservationId, BudgetSettleStatus.NotFound, "no such reservation");
            }

            return outcome?.Result.CostUsd ?? 0m;
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var client = budget.Create();
        var result = settlement.Usage is { } usage
            ? await client.CommitAsync(settlement.ReservationId, usage, timeout.Token)
            : await client.ReleaseAsync(settlement.ReservationId, timeout.Token);
        if (result.Status is BudgetSettleStatus.NotFound or BudgetSettleStatus.Rejected)
        {
            LogNotSettled(logger, settlement.ReservationId, result.Status, result.Message ?? "");
        }

        return result.Result?.CostUsd ?? 0m;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Reservation {ReservationId} was not settled: {Status} {Reason}")]
    private static partial void LogNotSettled(ILogger logger, string reservationId, BudgetSettleStatus status, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Settling reservation {ReservationId} failed (attempt {Attempt}): {Reason}; retrying")]
    private static partial void LogRetry(ILogger logger, string reservationId, int attempt, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Reservation {ReservationId} was not settled within {Seconds} s of the Router stopping; its call's event carries the price-table cost {CostUsd} USD; the budget counts it only if Redis runs the abandoned commit, else the reservation expires by itself")]
    private static partial void LogUnsettledAtStop(ILogger logger, string reservationId, double seconds, decimal costUsd);

    [LoggerMessage(Level = LogLevel.Error, Message = "Reservation {ReservationId} could not be settled within a day of its deadline; giving up")]
    private static partial void LogGaveUp(ILogger logger, string reservationId);
}
