using MassTransit;
using Microsoft.Extensions.Options;

namespace IronAspire.Analytics.Ingestion;

/// <summary>
/// Batching and retry for every analytics consumer. Prefetch covers a full batch per concurrent batch (plus one being
/// filled), otherwise batches never reach their size. A failed batch is retried in memory with backoff for about a minute
/// (a PostgreSQL restart); only after that do its messages move to the "_error" queue, still kept by RabbitMQ.
/// </summary>
public class BatchConsumerDefinition<TConsumer> : ConsumerDefinition<TConsumer> where TConsumer : class, IConsumer
{
    private readonly AnalyticsOptions _options;
    private readonly int _messageLimit;

    public BatchConsumerDefinition(IOptions<AnalyticsOptions> options)
        : this(options.Value, options.Value.BatchMessageLimit)
    {
    }

    protected BatchConsumerDefinition(AnalyticsOptions options, int messageLimit)
    {
        _options = options;
        _messageLimit = messageLimit;
        ConcurrentMessageLimit = messageLimit * (_options.BatchConcurrency + 1);
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<TConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        if (endpointConfigurator is IRabbitMqReceiveEndpointConfigurator rabbit)
        {
            rabbit.PrefetchCount = _messageLimit * (_options.BatchConcurrency + 1);
        }

        endpointConfigurator.UseMessageRetry(r => r.Exponential(12, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(200)));
        consumerConfigurator.Options<BatchOptions>(batch => batch
            .SetMessageLimit(_messageLimit)
            .SetTimeLimit(_options.BatchTimeLimit)
            .SetConcurrencyLimit(_options.BatchConcurrency));
    }
}

/// <summary>The Router's call batches carry up to Router:Events:BatchSize calls each, so a write takes fewer of them.</summary>
public sealed class CallEventBatchesConsumerDefinition(IOptions<AnalyticsOptions> options)
    : BatchConsumerDefinition<CallEventBatchesConsumer>(options.Value, options.Value.CallBatchMessageLimit);
