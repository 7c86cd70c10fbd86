using IronAspire.Analytics.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IronAspire.Analytics.Retention;

/// <summary>
/// Deletes raw events older than the retention horizon, in small chunks so ingestion is never blocked for long.
/// The daily aggregates were already maintained at insert time and are never deleted.
/// </summary>
public sealed partial class RetentionJob(
    IServiceScopeFactory scopes,
    IOptions<AnalyticsOptions> options,
    TimeProvider time,
    ILogger<RetentionJob> logger) : BackgroundService
{
    private const int ChunkSize = 10_000;
    private static readonly string[] Tables = ["llm_requests", "pii_detections", "governance_events"];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.RetentionInterval, time);
        do
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Deletes every raw row before the horizon; returns how many.</summary>
    public async Task<long> RunOnceAsync(CancellationToken cancellationToken)
    {
        var horizon = RetentionHorizon.For(time.GetUtcNow(), options.Value.RetentionDays);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AnalyticsDbContext>();
        long total = 0;
        foreach (var table in Tables)
        {
            int deleted;
            do
            {
                // Table names come from the constant list above, never from input.
#pragma warning disable EF1002
                deleted = await db.Database.ExecuteSqlRawAsync(
                    $"DELETE FROM {table} WHERE ctid IN (SELECT ctid FROM {table} WHERE timestamp < @horizon LIMIT {ChunkSize})",
                    [new Npgsql.NpgsqlParameter<DateTimeOffset>("horizon", horizon)],
                    cancellationToken);
#pragma warning restore EF1002
                total += deleted;
            }
            while (deleted == ChunkSize);
        }

        if (total > 0)
        {
            LogDeleted(logger, total, horizon);
        }

        return total;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention deleted {Count} raw events before {Horizon:o}; daily aggregates keep their totals")]
    private static partial void LogDeleted(ILogger logger, long count, DateTimeOffset horizon);

    [LoggerMessage(Level = LogLevel.Error, Message = "Retention run failed; it is tried again at the next interval")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
