using System.Diagnostics.Metrics;
using MassTransit;
using Npgsql;

namespace IronAspire.Analytics.Ingestion;

/// <summary>The Analytics service's meter (exported by ServiceDefaults under the IronAspire.* prefix).</summary>
public sealed class IngestionMetrics : IDisposable
{
    public const string Name = "IronAspire.Analytics";

    private readonly Meter _meter;

    public IngestionMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(Name);
        DeadLettered = _meter.CreateCounter<long>("ironaspire.analytics.events.dead_lettered",
            description: "Events PostgreSQL can never store, set aside on the consumer queue's _dead_letter queue instead of failing their batch");
    }

    public Counter<long> DeadLettered { get; }

    public void Dispose() => _meter.Dispose();
}

/// <summary>
/// Writes a batch; when PostgreSQL refuses it for its data (an event no retry can ever store, e.g. a NUL in a string,
/// SQLSTATE 22021), writes its events one by one and sets aside only those it refuses: each is sent, unchanged, to
/// the queue's <c>_dead_letter</c> queue (kept by RabbitMQ for an operator), logged and counted — so one poison event
/// no longer fails, retries and dead-letters the whole batch with it.
/// </summary>
public sealed partial class PoisonEvents(IngestionMetrics metrics, ILogger<PoisonEvents> logger)
{
    public async Task WriteAsync<T>(ConsumeContext<Batch<T>> batch, Func<IReadOnlyList<T>, CancellationToken, Task> write)
        where T : class
    {
        var cancellationToken = batch.CancellationToken;
        try
        {
            await write(batch.Message.Select(m => m.Message).ToList(), cancellationToken);
            return;
        }
        catch (PostgresException ex) when (IsPermanent(ex))
        {
            LogSplitting(logger, typeof(T).Name, batch.Message.Length, ex.SqlState);
        }

        foreach (var message in batch.Message)
        {
            try
            {
                await write([message.Message], cancellationToken);
            }
            catch (PostgresException ex) when (IsPermanent(ex))
            {
                var address = new Uri(batch.ReceiveContext.InputAddress + "_dead_letter");
                var endpoint = await message.GetSendEndpoint(address);
                await endpoint.Send(message.Message, cancellationToken);
                metrics.DeadLettered.Add(1, new KeyValuePair<string, object?>("type", typeof(T).Name));
                LogDeadLettered(logger, typeof(T).Name, message.MessageId, ex.SqlState, ex.MessageText);
            }
        }
    }

    /// <summary>Data (class 22) and integrity (class 23) errors: the same rows can never be written.</summary>
    private static bool IsPermanent(PostgresException ex) =>
        ex.SqlState.StartsWith("22", StringComparison.Ordinal) || ex.SqlState.StartsWith("23", StringComparison.Ordinal);

    [LoggerMessage(Level = LogLevel.Warning, Message = "PostgreSQL refused a batch of {Count} {EventType} ({SqlState}); writing them one by one")]
    private static partial void LogSplitting(ILogger logger, string eventType, int count, string sqlState);

    [LoggerMessage(Level = LogLevel.Error, Message = "{EventType} {MessageId} can never be stored ({SqlState}: {Reason}); moved to the _dead_letter queue")]
    private static partial void LogDeadLettered(ILogger logger, string eventType, Guid? messageId, string sqlState, string reason);
}
