using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using IronAspire.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace IronAspire.AppHost.Tests;

/// <summary>
/// Every service exports traces, metrics and logs over OTLP to the endpoint the AppHost injects (the Aspire dashboard's
/// when it runs; here a collector of the test's own), and one call through the Router is one trace across the Router,
/// the broker and Analytics' consumer.
/// </summary>
[Collection(WholeApps.Name)]
public class TelemetryExportTests
{
    [Fact]
    public async Task Services_export_to_the_endpoint_the_apphost_injects_and_one_call_is_one_trace_across_router_and_analytics()
    {
        // A minimal OTLP/gRPC collector (the protocol the AppHost injects, as for the dashboard): it keeps each export's
        // protobuf message raw and answers gRPC's empty success.
        var received = new ConcurrentDictionary<string, ConcurrentBag<byte[]>>();
        var collectorBuilder = WebApplication.CreateSlimBuilder();
        collectorBuilder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        await using var collector = collectorBuilder.Build();
        collector.MapPost("/opentelemetry.proto.collector.{signal}.v1.{service}/Export", async (string signal, HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            received.GetOrAdd(signal, _ => []).Add(body.ToArray());
            context.Response.ContentType = "application/grpc";
            context.Response.AppendTrailer("grpc-status", "0");
            await context.Response.Body.WriteAsync(new byte[5]);
        });
        await collector.StartAsync();
        var endpoint = collector.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

        await using var app = await IronAspireApp.StartAsync($"--ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL={endpoint}");
        var traceId = System.Security.Cryptography.RandomNumberGenerator.GetBytes(16);
        using (var router = app.CreateHttpClient("router"))
        using (var call = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions"))
        {
            call.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await app.ParameterAsync("demo-key"));
            call.Headers.Add("traceparent", $"00-{Convert.ToHexStringLower(traceId)}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8))}-01");
            call.Content = new StringContent("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hello"}]}""", Encoding.UTF8, "application/json");
            using var answer = await router.SendAsync(call);
            Assert.True(answer.IsSuccessStatusCode, await answer.Content.ReadAsStringAsync());
        }

        // Protobuf keeps strings as UTF-8 and a trace id as its 16 raw bytes, so both are visible in the raw export.
        bool Exported(string signal, string service, byte[]? trace = null) =>
            received.TryGetValue(signal, out var bodies) && bodies.Any(b =>
                b.AsSpan().IndexOf(Encoding.UTF8.GetBytes(service)) >= 0 && (trace is null || b.AsSpan().IndexOf(trace) >= 0));

        // The Router's own instruments may first appear in a later export than its runtime metrics: wait for them too.
        for (var i = 0; i < 300 && !(Exported("trace", "router", traceId) && Exported("trace", "analytics", traceId)
                 && Exported("metrics", "router") && Exported("metrics", "IronAspire.Router") && Exported("logs", "router")); i++)
        {
            await Task.Delay(100);
        }

        Assert.True(Exported("trace", "router", traceId), "the Router exported spans of the call's trace");
        Assert.True(Exported("trace", "analytics", traceId), "Analytics' consumer exported spans of the same trace");
        Assert.True(Exported("metrics", "router"), "metrics were exported");
        Assert.True(Exported("metrics", "IronAspire.Router"), "the Router's own meter is among them");
        Assert.True(Exported("logs", "router"), "logs were exported");
    }
}
