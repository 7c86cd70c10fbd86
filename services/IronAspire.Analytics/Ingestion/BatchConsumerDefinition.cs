using MassTransit;
using Microsoft.Extensions.Options;

namespace IronAspire.Analytics.Ingestion;

/// <summary>
/// Batching and retry for every analytics consumer. Prefetch covers a full batch per concurrent batch (plus one being
/// filled), otherwise batches never reach their size. A failed batch is retried in memory with backoff for about a minute
/// (a PostgreSQL restart); only after that do its messages move to the "_error" queue, still kept by RabbitMQ.
/// </summary>
public sealed class BatchConsumerDefinition<TConsumer> : ConsumerDefinition<TConsumer> where TConsumer : class, IConsumer
{
    private readonly AnalyticsOptions _options;

    public BatchConsumerDefinition(IOptions<AnalyticsOptions> options)
    {
        _options = options.Value;
        ConcurrentMessageLimit = _options.BatchMessageLimit * (_options.BatchConcurrency + 1);
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<TConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        if (endpointConfigurator is IRabbitMqReceiveEndpointConfigurator rabbit)
        {
            rabbit.PrefetchCount = _options.BatchMessageLimit * (_options.BatchConcurrency + 1);
        }

        endpointConfigurator.UseMessageRetry(r => r.Exponential(12, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(200)));
        consumerConfigurator.Options<BatchOptions>(batch => batch
            .SetMessageLimit(_options.BatchMessageLimit)
            .SetTimeLimit(_options.BatchTimeLimit)
            .SetConcurrencyLimit(_options.BatchConcurrency));
    }
}
