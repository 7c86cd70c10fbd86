using System.Diagnostics;
using System.Net;
using IronAspire.Budget.Budgets;
using IronAspire.Contracts.Budget;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace IronAspire.Load.Benchmarks;

/// <summary>
/// The floors under the Router on this machine, each a separate process (this executable) forwarding every request
/// to the MockProvider with YARP's forwarder:
/// <list type="bullet">
/// <item>bare: nothing else — no key check, parse, policy, budget, relay or events; the floor of any YARP-based router;</item>
/// <item>reserving: the same, plus what the budget issue makes unavoidable on the call's path — one reservation script
/// in Redis before forwarding (the Budget.Store library, as the Router runs it) and its commit after the response,
/// off the client's time. The floor of any Router that never overspends.</item>
/// </list>
/// </summary>
public static class BareProxy
{
    public const string Command = "bare-proxy";

    /// <summary>Runs a proxy in this process: <c>bare-proxy &lt;upstream&gt; &lt;port&gt; [redis connection string]</c>.</summary>
    public static void Run(string upstream, int port, string? redis)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Services.AddHttpForwarder();
        if (redis is not null)
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConnectionStrings:cache"] = redis,
                ["Budget:DefaultAgentLimitUsd"] = "1000000",
            });
            builder.AddRedisClient("cache");
            builder.Services.AddBudgetStore();
        }

        var app = builder.Build();
        // The same invoker settings as the Router's providers: pooled connections, no proxy, no cookies, no redirects.
        var invoker = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            EnableMultipleHttp2Connections = true,
            ActivityHeadersPropagator = null,
            ConnectTimeout = TimeSpan.FromSeconds(15),
        });
        var config = new ForwarderRequestConfig { AllowResponseBuffering = false };
        if (redis is null)
        {
            app.MapForwarder("/{**path}", upstream, config, HttpTransformer.Default, invoker);
        }
        else
        {
            var store = app.Services.GetRequiredService<BudgetStore>();
            var forwarder = app.Services.GetRequiredService<IHttpForwarder>();
            var reservation = new ReservationRequest("bench-floor", null, "gpt-4o-mini", 200, 64, TtlSeconds: 720);
            var usage = new CommitRequest(30, 48);
            app.Map("/{**path}", async (HttpContext context) =>
            {
                if (await store.ReserveAsync(reservation) is not ReserveOutcome.Reserved reserved)
                {
                    context.Response.StatusCode = 402;
                    return;
                }

                await forwarder.SendAsync(context, upstream, invoker, config, HttpTransformer.Default);
                _ = store.CommitAsync(reserved.Reservation.ReservationId, usage);
            });
        }

        app.Run();
    }

    /// <summary>Starts a proxy as a child process of this benchmark and waits until it answers.</summary>
    public static async Task<Process> StartAsync(ChildProcesses children, Uri upstream, int port, string? redis, HttpClient http)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!);
        if (!Path.GetFileNameWithoutExtension(Environment.ProcessPath!).Equals(typeof(BareProxy).Assembly.GetName().Name, StringComparison.Ordinal))
        {
            // Run as "dotnet IronAspire.Load.Benchmarks.dll".
            start.ArgumentList.Add(typeof(BareProxy).Assembly.Location);
        }

        start.ArgumentList.Add(Command);
        start.ArgumentList.Add(upstream.ToString());
        start.ArgumentList.Add(port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (redis is not null)
        {
            start.ArgumentList.Add(redis);
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        var process = children.Start(start, "bare-proxy");
        await ChildProcesses.WaitUntilAnswersAsync(process, http, new Uri($"http://127.0.0.1:{port}/health"), "bare-proxy", TimeSpan.FromSeconds(10));
        return process;
    }
}
