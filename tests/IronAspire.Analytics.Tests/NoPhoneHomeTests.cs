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
                        // The listener is process-wide: the test servers' Aspire orchestrator polls its own API on
                        // loopback all along. Telemetry leaves the machine, so only other hosts count.
                        var request = e.Value?.GetType().GetProperty("Request")?.GetValue(e.Value) as HttpRequestMessage;
                        if (request?.RequestUri is not { IsLoopback: true })
                        {
                            requests.Enqueue(request?.RequestUri?.ToString() ?? e.Key);
                        }
                    }
                }));
            }
        }));

        // The listener sees an outbound call (a name that never resolves), so an empty list below means none was made.
        using (var probe = new HttpClient())
        {
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => probe.GetAsync("http://phone-home-probe.invalid/"));
        }

        Assert.Equal(["http://phone-home-probe.invalid/"], requests.Distinct());
        requests.Clear();

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ApplicationName = "IronAspire.NoPhoneHome" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:messaging"] = await BackingServers.RabbitMqAsync(),
            ["EventBus:QueuePrefix"] = "nophonehome-" + Guid.NewGuid().ToString("N")[..8],
        });
        builder.AddEventBus();
        // Were it on, the report would go out when the host is disposed: MassTransit waits at least 30 s after the
        // bus starts (a shorter ReportDelay is raised to that) unless it is told to report on shutdown.
        builder.Services.Configure<UsageTelemetryOptions>(o => o.ReportOnShutdown = true);
        var host = builder.Build();
        bool telemetryEnabled;
        await using (host as IAsyncDisposable)
        {
            await host.StartAsync();
            var bus = host.Services.GetRequiredService<IBusControl>();
            for (var i = 0; i < 300 && bus.CheckHealth().Status != BusHealthStatus.Healthy; i++)
            {
                await Task.Delay(100);
            }

            telemetryEnabled = host.Services.GetRequiredService<IOptions<UsageTelemetryOptions>>().Value.Enabled;
            await host.StopAsync();
        }

        Assert.Empty(requests);
        Assert.False(telemetryEnabled);
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
