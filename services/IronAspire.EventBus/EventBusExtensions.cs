using IronAspire.EventBus;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// MassTransit over RabbitMQ from Aspire's <c>ConnectionStrings:messaging</c> (an amqp:// URI), the buffered
/// <see cref="IEventPublisher"/>, and a health check named "messaging".
/// </summary>
public static class EventBusExtensions
{
    public const string ConnectionName = "messaging";

    /// <summary>
    /// Wires the bus. The service starts and stays up while RabbitMQ is down: the bus connects in the background
    /// (the "messaging" health check is unhealthy meanwhile) and published events wait in the buffer.
    /// </summary>
    /// <param name="configureConsumers">Registers this service's consumers (<c>x.AddConsumer&lt;T, TDefinition&gt;()</c>);
    /// their queues are named "{prefix}-{consumer}" and configured by <c>ConfigureEndpoints</c>.</param>
    /// <param name="configureBus">Optional extra RabbitMQ bus settings.</param>
    public static IHostApplicationBuilder AddEventBus(
        this IHostApplicationBuilder builder,
        Action<IBusRegistrationConfigurator>? configureConsumers = null,
        Action<IBusRegistrationContext, IRabbitMqBusFactoryConfigurator>? configureBus = null)
    {
        var connectionString = builder.Configuration.GetConnectionString(ConnectionName)
            ?? throw new InvalidOperationException(
                $"RabbitMQ connection string 'ConnectionStrings:{ConnectionName}' is missing. Set ConnectionStrings__{ConnectionName} to an amqp:// URI.");
        var broker = AmqpAddress.Parse(connectionString);

        var services = builder.Services;
        services.AddOptions<EventBusOptions>()
            .BindConfiguration(EventBusOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);

        var prefix = builder.Configuration[$"{EventBusOptions.SectionName}:{nameof(EventBusOptions.QueuePrefix)}"]
            ?? DefaultQueuePrefix(builder.Environment.ApplicationName);

        services.AddOptions<MassTransitHostOptions>().Configure(options =>
        {
            // Never hold up the host on the broker: the bus starts (and reconnects) in the background.
            options.WaitUntilStarted = false;
            options.StopTimeout = TimeSpan.FromSeconds(30);
            options.ConsumerStopTimeout = TimeSpan.FromSeconds(20);
        });

        services.AddMassTransit(x =>
        {
            // MassTransit 8.5 reports usage to its vendor over HTTP after the bus starts; IronAspire makes no outbound
            // call except to its configured providers and OTLP endpoint (docs/security.md).
            x.DisableUsageTelemetry();
            x.SetEndpointNameFormatter(new KebabCaseEndpointNameFormatter(prefix, false));
            // MassTransit's own check stays (with endpoint details) under its own name; "messaging" is BrokerHealthCheck.
            x.ConfigureHealthCheckOptions(health => health.Name = "masstransit");
            configureConsumers?.Invoke(x);
            x.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(broker.Host, broker.Port, broker.VirtualHost, $"{prefix}-{Environment.MachineName}", h =>
                {
                    h.Username(broker.Username);
                    h.Password(broker.Password);
                    if (broker.UseTls)
                    {
                        h.UseSsl(ssl => ssl.ServerName = broker.Host);
                    }

                    h.RequestedConnectionTimeout(TimeSpan.FromSeconds(5));
                    h.Heartbeat(TimeSpan.FromSeconds(10));
                    h.PublisherConfirmation = true;
                });
                configureBus?.Invoke(context, cfg);
                cfg.ConfigureEndpoints(context);
            });
        });

        // After AddMassTransit, so the host stops it before the bus: the shutdown flush still has a connection.
        services.AddSingleton<BufferedEventPublisher>();
        services.AddSingleton<IEventPublisher>(sp => sp.GetRequiredService<BufferedEventPublisher>());
        services.AddHostedService(sp => sp.GetRequiredService<BufferedEventPublisher>());
        services.AddHealthChecks()
            .AddCheck<BrokerHealthCheck>(ConnectionName, tags: ["ready"])
            .AddCheck<EventBufferHealthCheck>("messaging-buffer", tags: ["ready"]);
        return builder;
    }

    internal static string DefaultQueuePrefix(string applicationName)
    {
        var name = applicationName.StartsWith("IronAspire.", StringComparison.Ordinal)
            ? applicationName["IronAspire.".Length..]
            : applicationName;
        return new KebabCaseEndpointNameFormatter(false).SanitizeName(name.Replace('.', '-'));
    }
}
