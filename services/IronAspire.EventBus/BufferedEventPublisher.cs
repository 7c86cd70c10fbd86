using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Threading.Channels;
using IronAspire.Contracts.Events;
using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IronAspire.EventBus;

/// <summary>
/// The <see cref="IEventPublisher"/>: a bounded channel drained by <see cref="EventBusOptions.PublishConcurrency"/> workers.
/// A worker publishes one event with a timeout (MassTransit's publish waits for a connection while RabbitMQ is down, and
/// waits for the publisher confirm when it is up) and, on failure, retries the same event with exponential backoff.
/// Order is not kept; a publish that timed out may still reach the broker, so an event can arrive twice —
/// consumers are idempotent on <see cref="IIronAspireEvent.EventId"/>.
/// Registered after MassTransit's hosted service, so it stops first: at shutdown it flushes while the bus is still up.
/// </summary>
public sealed partial class BufferedEventPublisher : IEventPublisher, IHostedService, IDisposable
{
    internal static readonly ActivitySource ActivitySource = new(EventBusMetrics.MeterName);

    private readonly Channel<PendingEvent> _channel;
    private readonly IBus _bus;
    private readonly EventBusOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<BufferedEventPublisher> _logger;
    private readonly EventBusMetrics _metrics;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _workers = [];
    private long _pending;
    private volatile bool _stopped;
    private volatile bool _disposed;
    private Task? _stopTask;
    private int _disposeCalls;

    public BufferedEventPublisher(
        IBus bus,
        IOptions<EventBusOptions> options,
        TimeProvider time,
        IMeterFactory meterFactory,
        ILogger<BufferedEventPublisher> logger)
    {
        _bus = bus;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _metrics = new EventBusMetrics(meterFactory, () => Pending);
        _channel = Channel.CreateBounded<PendingEvent>(new BoundedChannelOptions(_options.BufferCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = false,
            SingleWriter = false,
        });
    }

    public long Pending => Interlocked.Read(ref _pending);

    public async ValueTask PublishAsync<T>(T message, CancellationToken cancellationToken = default) where T : class, IIronAspireEvent
    {
        ArgumentNullException.ThrowIfNull(message);
        if (_stopped)
        {
            // The workers are gone; nothing would ever publish it.
            _metrics.Lost(1);
            LogPublishedAfterStop(_logger, typeof(T).Name, message.EventId);
            return;
        }

        var pending = new PendingEvent(message, typeof(T), Activity.Current?.Context ?? default);
        Interlocked.Increment(ref _pending);
        if (_channel.Writer.TryWrite(pending))
        {
            return;
        }

        _metrics.BufferFull();
        try
        {
            await _channel.Writer.WriteAsync(pending, cancellationToken);
        }
        catch
        {
            Interlocked.Decrement(ref _pending);
            throw;
        }
    }

    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        while (Pending > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), _time, cancellationToken);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        for (var i = 0; i < _options.PublishConcurrency; i++)
        {
            _workers.Add(Task.Run(() => RunWorkerAsync(_stopping.Token), CancellationToken.None));
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // Hosts may stop a service twice, or after disposing it (a test host torn down mid-request): stop once. A second
        // call waits for the first: a minimal-API host stopped from outside also stops itself (its Run loop sees
        // ApplicationStopping), and that second pass must not go on to stop the bus while the first is still flushing.
        if (_disposed)
        {
            return;
        }

        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (Interlocked.CompareExchange(ref _stopTask, stopped.Task, null) is { } first)
        {
            await first.WaitAsync(cancellationToken);
            return;
        }

        try
        {
            await StopOnceAsync(cancellationToken);
        }
        finally
        {
            stopped.SetResult();
        }
    }

    private async Task StopOnceAsync(CancellationToken cancellationToken)
    {

        // Keep publishing until the buffer is empty, the flush timeout passes, or the host gives up.
        using var flush = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        flush.CancelAfter(_options.ShutdownFlushTimeout);
        try
        {
            await FlushAsync(flush.Token);
        }
        catch (OperationCanceledException)
        {
        }

        _stopped = true;
        try
        {
            await _stopping.CancelAsync();
        }
        catch (ObjectDisposedException)
        {
            // Disposed while flushing (the host gave up waiting): the workers were cancelled by Dispose.
        }

        try
        {
            // A publish stuck inside the client library must not hold the host's shutdown for ever.
            await Task.WhenAll(_workers).WaitAsync(_options.PublishTimeout, _time, cancellationToken);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            LogWorkersDidNotStop(_logger);
        }

        var lost = Pending;
        if (lost > 0)
        {
            _metrics.Lost(lost);
            LogLostAtShutdown(_logger, lost, _options.ShutdownFlushTimeout);
        }
    }

    /// <summary>
    /// Idempotent: the container disposes this instance once per registration that hands it out (the publisher
    /// itself, IEventPublisher and the hosted service).
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposeCalls, 1) == 1)
        {
            return;
        }

        _disposed = true;
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private async Task RunWorkerAsync(CancellationToken stopping)
    {
        try
        {
            while (await _channel.Reader.WaitToReadAsync(stopping))
            {
                while (_channel.Reader.TryRead(out var pending))
                {
                    await PublishUntilConfirmedAsync(pending, stopping);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    private async Task PublishUntilConfirmedAsync(PendingEvent pending, CancellationToken stopping)
    {
        for (var attempt = 0; ; attempt++)
        {
            if (await TryPublishAsync(pending, stopping))
            {
                Interlocked.Decrement(ref _pending);
                _metrics.Published(pending.Type.Name);
                return;
            }

            _metrics.PublishFailed(pending.Type.Name);
            // Full jitter keeps the workers from hammering a recovering broker in step.
            var ceiling = Math.Min(_options.RetryMaxDelay.TotalMilliseconds, _options.RetryMinDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 20)));
            var delay = TimeSpan.FromMilliseconds(ceiling / 2 + Random.Shared.NextDouble() * ceiling / 2);
            await Task.Delay(delay, _time, stopping);
        }
    }

    private async Task<bool> TryPublishAsync(PendingEvent pending, CancellationToken stopping)
    {
        // The worker's own context is empty; parent the publish on the caller's trace so MassTransit's send activity
        // (and the traceparent it writes into the message headers) continues it.
        using var activity = ActivitySource.StartActivity($"{pending.Type.Name} publish", ActivityKind.Internal, pending.Parent);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(_options.PublishTimeout);
        try
        {
            // WaitAsync too: MassTransit 8.5's one-time topology setup can leave a concurrent publish waiting for ever
            // when another publish's setup was cancelled; the worker must move on (and retry) instead of hanging.
            await _bus.Publish(pending.Message, pending.Type, timeout.Token).WaitAsync(timeout.Token);
            return true;
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            activity?.SetStatus(ActivityStatusCode.Error, "timeout");
            LogPublishTimedOut(_logger, pending.Type.Name, pending.Message.EventId, _options.PublishTimeout, Pending);
            return false;
        }
        catch (Exception ex)
        {
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            LogPublishFailed(_logger, ex, pending.Type.Name, pending.Message.EventId, Pending);
            return false;
        }
    }

    private sealed record PendingEvent(IIronAspireEvent Message, Type Type, ActivityContext Parent);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing {EventType} {EventId} failed; retrying ({Pending} events pending)")]
    private static partial void LogPublishFailed(ILogger logger, Exception exception, string eventType, Guid eventId, long pending);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing {EventType} {EventId} was not confirmed within {Timeout}; retrying ({Pending} events pending)")]
    private static partial void LogPublishTimedOut(ILogger logger, string eventType, Guid eventId, TimeSpan timeout, long pending);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Count} events could not be published before shutdown (flush timeout {Timeout}); they are lost")]
    private static partial void LogLostAtShutdown(ILogger logger, long count, TimeSpan timeout);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event publishers did not stop in time; shutting down without them")]
    private static partial void LogWorkersDidNotStop(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "{EventType} {EventId} was published after the event bus stopped; it is lost")]
    private static partial void LogPublishedAfterStop(ILogger logger, string eventType, Guid eventId);
}
