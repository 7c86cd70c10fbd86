using Microsoft.Extensions.Options;

namespace IronAspire.Budget.Budgets;

/// <summary>
/// Releases reservations whose deadline passed, so a Router that crashed mid-call cannot hold budget for longer than
/// the deadline. Each tick also checks that Redis still holds the service's state (the marker) and rebuilds it from the
/// ledger when it does not — at start, after a flush, or after fail-open calls bypassed it.
/// </summary>
public sealed partial class ReservationSweeper(BudgetStore store, IOptions<BudgetOptions> options, TimeProvider time, ILogger<ReservationSweeper> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.SweepIntervalSeconds), time);
        do
        {
            try
            {
                store.ForgetExpiredLocally();
                if (!await store.RebuildAsync())
                {
                    continue;
                }

                foreach (var reservation in await store.ExpiredReservationsAsync(500))
                {
                    switch (await store.ExpireAsync(reservation))
                    {
                        case null:
                            await store.ForgetAsync(reservation);
                            break;
                        case { Result.AlreadySettled: false }:
                            LogExpired(logger, reservation);
                            break;
                    }
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // Whatever a stalled or torn dependency throws, the sweeper logs it and tries again next tick: an
                // exception escaping this loop would stop the Budget service.
                LogSweepFailed(logger, ex.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Released expired reservation {ReservationId}")]
    private static partial void LogExpired(ILogger logger, string reservationId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sweeping reservations failed: {Reason}")]
    private static partial void LogSweepFailed(ILogger logger, string reason);
}
