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
/// SQLSTATE 22021), writes its units (an event, or one call's events from a <see cref="IronAspire.Contracts.Events.CallEventBatch"/>)
/// one by one and sets aside only those it refuses: each of their events is sent, unchanged, to the queue's
/// <c>_dead_letter</c> queue (kept by RabbitMQ for an operator), logged and counted — so one poison event no longer
/// fails, retries and dead-letters the whole batch with it.
/// </summary>
public sealed partial class PoisonEvents(IngestionMetrics metrics, ILogger<PoisonEvents> logger)
{
    public Task WriteAsync<T>(ConsumeContext<Batch<T>> batch, Func<IReadOnlyList<T>, CancellationToken, Task> write)
        where T : class =>
        WriteAsync(batch, batch.Message.Select(m => m.Message).ToList(), write, static message => [message]);

    /// <param name="events">A unit's events, as they are dead-lettered when the unit can never be written.</param>
    public async Task WriteAsync<TUnit>(ConsumeContext context, IReadOnlyList<TUnit> units,
        Func<IReadOnlyList<TUnit>, CancellationToken, Task> write, Func<TUnit, IEnumerable<object>> events)
    {
        var cancellationToken = context.CancellationToken;
        try
        {
            await write(units, cancellationToken);
            return;
        }
        catch (PostgresException ex) when (IsPermanent(ex))
        {
            LogSplitting(logger, typeof(TUnit).Name, units.Count, ex.SqlState);
        }

        foreach (var unit in units)
        {
            try
            {
                await write([unit], cancellationToken);
            }
            catch (PostgresException ex) when (IsPermanent(ex))
            {
                var endpoint = await context.GetSendEndpoint(new Uri(context.ReceiveContext.InputAddress + "_dead_letter"));
                foreach (var message in events(unit))
                {
                    await endpoint.Send(message, message.GetType(), cancellationToken);
                    metrics.DeadLettered.Add(1, new KeyValuePair<string, object?>("type", message.GetType().Name));
                    LogDeadLettered(logger, message.GetType().Name, (message as IronAspire.Contracts.Events.IIronAspireEvent)?.EventId, ex.SqlState, ex.MessageText);
                }
            }
        }
    }

    /// <summary>Data (class 22) and integrity (class 23) errors: the same rows can never be written.</summary>
    private static bool IsPermanent(PostgresException ex) =>
        ex.SqlState.StartsWith("22", StringComparison.Ordinal) || ex.SqlState.StartsWith("23", StringComparison.Ordinal);

    [LoggerMessage(Level = LogLevel.Warning, Message = "PostgreSQL refused a batch of {Count} {EventType} ({SqlState}); writing them one by one")]
    private static partial void LogSplitting(ILogger logger, string eventType, int count, string sqlState);

    [LoggerMessage(Level = LogLevel.Error, Message = "{EventType} {EventId} can never be stored ({SqlState}: {Reason}); moved to the _dead_letter queue")]
    private static partial void LogDeadLettered(ILogger logger, string eventType, Guid? eventId, string sqlState, string reason);
}
