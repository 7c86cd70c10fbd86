using System.Collections.Concurrent;
using System.Diagnostics;
using IronAspire.Testing;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace IronAspire.Analytics.Tests;

/// <summary>Issue 13: a service on the shared event bus makes no outbound HTTP call of its own (MassTransit's usage telemetry is off).</summary>
public sealed class NoPhoneHomeTests
{
    [Fact]
    public async Task A_service_on_the_event_bus_sends_no_usage_telemetry()
    {
        var requests = new ConcurrentQueue<string>();
        using var subscription = DiagnosticListener.AllListeners.Subscribe(new Observer<DiagnosticListener>(listener =>
        {
            if (listener.Name == "HttpHandlerDiagnosticListener")
            {
                listener.Subscribe(new Observer<KeyValuePair<string, object?>>(e =>
                {
                    if (e.Key == "System.Net.Http.HttpRequestOut.Start" || e.Key == "System.Net.Http.Request")
                    {
                        var request = e.Value?.GetType().GetProperty("Request")?.GetValue(e.Value) as HttpRequestMessage;
                        requests.Enqueue(request?.RequestUri?.ToString() ?? e.Key);
                    }
                }));
            }
        }));

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ApplicationName = "IronAspire.NoPhoneHome" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:messaging"] = await BackingServers.RabbitMqAsync(),
            ["EventBus:QueuePrefix"] = "nophonehome-" + Guid.NewGuid().ToString("N")[..8],
        });
        builder.AddEventBus();
        // Were it on, the report would go out right after the bus starts rather than minutes later.
        builder.Services.Configure<UsageTelemetryOptions>(o => o.ReportDelay = TimeSpan.FromMilliseconds(100));
        using var host = builder.Build();
        await host.StartAsync();
        var bus = host.Services.GetRequiredService<IBusControl>();
        for (var i = 0; i < 300 && bus.CheckHealth().Status != BusHealthStatus.Healthy; i++)
        {
            await Task.Delay(100);
        }

        await Task.Delay(TimeSpan.FromSeconds(3));
        await host.StopAsync();

        Assert.Empty(requests);
        Assert.False(host.Services.GetRequiredService<IOptions<UsageTelemetryOptions>>().Value.Enabled);
    }

    private sealed class Observer<T>(Action<T> next) : IObserver<T>
    {
        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }

        public void OnNext(T value) => next(value);
    }
}
