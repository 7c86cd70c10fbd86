using MassTransit;
using IronAspire.Analytics;
using IronAspire.Analytics.Data;
using IronAspire.Analytics.Ingestion;
using IronAspire.Analytics.Queries;
using IronAspire.Analytics.Retention;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.Hosting;

public static class Extensions
{
    public static IHostApplicationBuilder AddAnalyticsServices(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<AnalyticsOptions>()
            .BindConfiguration(AnalyticsOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddProblemDetails();
        services.AddOpenApi();
        // Usage of every agent: operators only (admin key), or a service with the service key.
        builder.AddInternalApiAuthentication(serviceKeyRequired: false);

        builder.AddNpgsqlDbContext<AnalyticsDbContext>("analyticsdb");
        services.AddMigration<AnalyticsDbContext>();

        builder.AddEventBus(bus =>
        {
            bus.AddConsumer<CallEventBatchesConsumer, CallEventBatchesConsumerDefinition>();
            // Single call events: what a Router published before it batched (still queued, or during a rolling update).
            bus.AddConsumer<LlmRequestsConsumer, BatchConsumerDefinition<LlmRequestsConsumer>>();
            bus.AddConsumer<PiiDetectionsConsumer, BatchConsumerDefinition<PiiDetectionsConsumer>>();
            bus.AddConsumer<GovernanceEventsConsumer, BatchConsumerDefinition<GovernanceEventsConsumer>>();
        });

        services.AddScoped<EventWriter>();
        services.AddSingleton<IngestionMetrics>();
        services.AddSingleton<PoisonEvents>();
        services.AddScoped<AnalyticsQueries>();
        services.AddSingleton<RetentionJob>();
        services.AddHostedService(sp => sp.GetRequiredService<RetentionJob>());
        return builder;
    }
}
