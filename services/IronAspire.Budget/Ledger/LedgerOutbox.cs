using System.Globalization;
using IronAspire.Budget.Budgets;
using IronAspire.Budget.Telemetry;
using StackExchange.Redis;

namespace IronAspire.Budget.Ledger;

/// <summary>
/// Moves committed costs from the Redis outbox stream (appended by the commit script, atomically with the spend) to the
/// PostgreSQL ledger in batches, deleting them from the stream only once PostgreSQL has them. Off the request path, so a
/// commit's latency is one Redis round trip. A crash of the service loses nothing (the stream is in Redis, append-only);
/// what can be lost is what Redis itself loses: entries younger than its fsync interval when Redis dies with them.
/// Also creates the ledger schema before the service takes requests (as eShop applies migrations at start).
/// </summary>
public sealed partial class LedgerOutbox(IConnectionMultiplexer redis, BudgetLedger ledger, BudgetMetrics metrics, ILogger<LedgerOutbox> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);
    private const int BatchSize = 2000;
    private readonly SemaphoreSlim _drainLock = new(1, 1);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await ledger.EnsureSchemaAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await DrainAsync(stoppingToken) < BatchSize)
                {
                    await Task.Delay(Interval, stoppingToken);
                }

                failures = 0;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // Nothing is lost: the entries stay in the stream until PostgreSQL has them. Any failure (a stalled
                // Redis included) is retried with back-off; the loop never ends the host.
                LogDrainFailed(logger, ++failures, ex.Message);
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5000, 100 * failures)), stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Writes one batch from the outbox to the ledger; returns how many entries it moved.</summary>
    public async Task<int> DrainAsync(CancellationToken cancellationToken = default)
    {
        await _drainLock.WaitAsync(cancellationToken);
        try
        {
            var db = redis.GetDatabase();
            var entries = await db.StreamRangeAsync(BudgetKeys.LedgerOutbox, count: BatchSize);
            if (entries.Length == 0)
            {
                return 0;
            }

            var parsed = entries.Select(e => (Entry: e, Ledger: TryParse(e))).ToList();
            var writable = parsed.Where(p => p.Ledger is not null).ToList();
            try
            {
                await ledger.WriteAsync(writable.Select(p => p.Ledger!).ToList(), cancellationToken);
            }
            catch (Npgsql.PostgresException ex) when (IsPermanent(ex))
            {
                // One entry PostgreSQL can never take fails the whole batch: write them one by one and set aside
                // only those that fail for good, so the entries behind them reach the ledger.
                foreach (var (entry, row) in writable)
                {
                    try
                    {
                        await ledger.WriteAsync([row!], cancellationToken);
                    }
                    catch (Npgsql.PostgresException single) when (IsPermanent(single))
                    {
                        await DeadLetterAsync(db, entry, $"{single.SqlState}: {single.MessageText}");
                    }
                }
            }

            foreach (var (entry, _) in parsed.Where(p => p.Ledger is null))
            {
                await DeadLetterAsync(db, entry, "malformed outbox entry");
            }

            await db.StreamDeleteAsync(BudgetKeys.LedgerOutbox, entries.Select(e => e.Id).ToArray());
            return entries.Length;
        }
        finally
        {
            _drainLock.Release();
        }
    }

    /// <summary>Drains until the outbox is empty (before a rebuild reads the ledger).</summary>
    public async Task DrainAllAsync(CancellationToken cancellationToken = default)
    {
        while (await DrainAsync(cancellationToken) > 0)
        {
        }
    }

    /// <summary>Data (class 22) and integrity (class 23) errors: retrying the same row can never succeed.</summary>
    private static bool IsPermanent(Npgsql.PostgresException ex) => ex.SqlState.StartsWith("22", StringComparison.Ordinal) || ex.SqlState.StartsWith("23", StringComparison.Ordinal);

    /// <summary>Copies the entry, with the reason, to the dead-letter stream (kept for an operator), then counts and logs it.</summary>
    private async Task DeadLetterAsync(IDatabase db, StreamEntry entry, string reason)
    {
        var fields = entry.Values.Append(new NameValueEntry("error", reason)).Append(new NameValueEntry("outboxId", entry.Id.ToString())).ToArray();
        await db.StreamAddAsync(BudgetKeys.LedgerDeadLetters, fields);
        metrics.LedgerDeadLetters.Add(1);
        LogDeadLettered(logger, entry.Id.ToString(), (string?)entry["r"] ?? "", reason);
    }

    private static LedgerEntry? TryParse(StreamEntry entry)
    {
        try
        {
            return Parse(entry);
        }
        catch (Exception ex) when (ex is FormatException or OverflowException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    private static LedgerEntry Parse(StreamEntry entry)
    {
        string Text(string name) => (string?)entry[name] ?? "";
        long Number(string name) => long.Parse(Text(name), CultureInfo.InvariantCulture);
        return new LedgerEntry(
            Text("r"), Text("a"), Text("p") is { Length: > 0 } project ? project : null, Text("m"),
            Number("i"), Number("c"), Number("w"), Number("o"), Number("cost"),
            Text("ac"), Text("pc") is { Length: > 0 } projectCounter ? projectCounter : null,
            DateTimeOffset.FromUnixTimeMilliseconds(Number("t")));
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox entry {OutboxId} (reservation {ReservationId}) can never be written to the ledger ({Reason}); moved to the dead-letter stream ironaspire:budget:ledger-dead")]
    private static partial void LogDeadLettered(ILogger logger, string outboxId, string reservationId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Moving committed costs to the ledger failed (attempt {Attempt}): {Reason}; they stay in the outbox and are retried")]
    private static partial void LogDrainFailed(ILogger logger, int attempt, string reason);
}
