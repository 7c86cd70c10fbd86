using System.ComponentModel.DataAnnotations;

namespace IronAspire.EventBus;

/// <summary>Settings of the buffered publisher and the bus, bound from the "EventBus" configuration section.</summary>
public sealed class EventBusOptions
{
    public const string SectionName = "EventBus";

    /// <summary>
    /// Events that may wait in memory while RabbitMQ is unreachable. When full, <see cref="IEventPublisher.PublishAsync{T}"/>
    /// waits for room (back-pressure) instead of dropping. 100,000 events of ~1 KB is ~100 MB at worst.
    /// </summary>
    [Range(1, 10_000_000)]
    public int BufferCapacity { get; set; } = 100_000;

    /// <summary>Publishes in flight at once; each waits for the broker's publisher confirm, so this sets throughput.</summary>
    [Range(1, 512)]
    public int PublishConcurrency { get; set; } = 32;

    /// <summary>A publish not confirmed within this time is abandoned and retried (the broker may still deliver it: consumers are idempotent).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>First retry delay after a failed publish; doubles per attempt up to <see cref="RetryMaxDelay"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan RetryMinDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>At shutdown, how long to keep publishing what is buffered before giving up (what is left is logged as lost).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan ShutdownFlushTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Queue-name prefix of this service's consumers (kebab-case), so two services consuming one event type each get every copy.
    /// Defaults to the application name without "IronAspire.", lower-cased (e.g. "analytics").</summary>
    public string? QueuePrefix { get; set; }
}
