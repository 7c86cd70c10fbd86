using System.Globalization;
using IronAspire.Budget.Budgets;
using StackExchange.Redis;

namespace IronAspire.Budget.Ledger;

/// <summary>
/// Moves committed costs from the Redis outbox stream (appended by the commit script, atomically with the spend) to the
/// PostgreSQL ledger in batches, deleting them from the stream only once PostgreSQL has them. Off the request path, so a
/// commit's latency is one Redis round trip. A crash of the service loses nothing (the stream is in Redis, append-only);
/// what can be lost is what Redis itself loses: entries younger than its fsync interval when Redis dies with them.
/// Also creates the ledger schema before the service takes requests (as eShop applies migrations at start).
/// </summary>
public sealed partial class LedgerOutbox(IConnectionMultiplexer redis, BudgetLedger ledger, ILogger<LedgerOutbox> logger) : BackgroundService
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
            catch (Exception ex) when (ex is RedisException or Npgsql.NpgsqlException or TimeoutException)
            {
                // Nothing is lost: the entries stay in the stream until PostgreSQL has them.
                LogDrainFailed(logger, ++failures, ex.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5000, 100 * failures)), stoppingToken);
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

            await ledger.WriteAsync(entries.Select(Parse).ToList(), cancellationToken);
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Moving committed costs to the ledger failed (attempt {Attempt}): {Reason}; they stay in the outbox and are retried")]
    private static partial void LogDrainFailed(ILogger logger, int attempt, string reason);
}
