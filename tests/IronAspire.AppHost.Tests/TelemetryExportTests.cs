using System.Collections.Concurrent;
using System.Text;
using IronAspire.Hosting;
using IronAspire.Hosting.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace IronAspire.AppHost.Tests;

/// <summary>With OTEL_EXPORTER_OTLP_ENDPOINT set for the AppHost, every service exports its telemetry there.</summary>
public class TelemetryExportTests
{
    [Fact]
    public async Task A_service_exports_traces_metrics_and_logs_to_the_collector_the_apphost_names()
    {
        // A minimal OTLP/HTTP collector: it keeps what each signal's endpoint receives.
        var received = new ConcurrentDictionary<string, ConcurrentBag<byte[]>>();
        var collectorBuilder = WebApplication.CreateSlimBuilder();
        collectorBuilder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var collector = collectorBuilder.Build();
        collector.MapPost("/v1/{signal}", async (string signal, HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            received.GetOrAdd(signal, _ => []).Add(body.ToArray());
            return Results.Ok();
        });
        await collector.StartAsync();
        var endpoint = collector.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

        var builder = DistributedApplication.CreateBuilder(
            [$"--OTEL_EXPORTER_OTLP_ENDPOINT={endpoint}", "--OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf"],
            new DistributedApplicationOptions
            {
                StatePath = Path.Combine(BackingServers.StatePath, "otlp-" + Guid.NewGuid().ToString("N")[..8]),
                RandomizePorts = true,
                LogToConsole = false,
            });
        builder.AddProject<Projects.IronAspire_MockProvider>("mock-provider");
        await using var app = builder.Build();
        await app.StartAsync();

        using var http = app.CreateHttpClient("mock-provider");
        (await http.GetAsync("/v1/models")).EnsureSuccessStatusCode();

        // Protobuf keeps strings as UTF-8, so the service name is visible in the raw export.
        static bool Mentions(ConcurrentDictionary<string, ConcurrentBag<byte[]>> received, string signal, string text) =>
            received.TryGetValue(signal, out var bodies) && bodies.Any(b => Encoding.UTF8.GetString(b).Contains(text, StringComparison.Ordinal));

        for (var i = 0; i < 100 && !(Mentions(received, "traces", "mock-provider") && Mentions(received, "metrics", "mock-provider") && Mentions(received, "logs", "mock-provider")); i++)
        {
            await Task.Delay(100);
        }

        Assert.True(Mentions(received, "traces", "/v1/models"), "the request's trace was exported");
        Assert.True(Mentions(received, "traces", "mock-provider"), "traces carry OTEL_SERVICE_NAME");
        Assert.True(Mentions(received, "metrics", "mock-provider"), "metrics were exported");
        Assert.True(Mentions(received, "logs", "mock-provider"), "logs were exported");
    }
}
