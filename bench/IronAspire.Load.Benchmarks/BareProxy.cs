using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IronAspire.Load.Benchmarks;

/// <summary>
/// The floor for any YARP-based router on this machine: a separate process that forwards every request to the
/// MockProvider with YARP's forwarder and nothing else (no key check, parse, policy, budget, relay or events).
/// Router − bare proxy is what IronAspire's governance costs; bare proxy − direct is what a proxy hop costs.
/// </summary>
public static class BareProxy
{
    public const string Command = "bare-proxy";

    /// <summary>Runs the proxy in this process: <c>bare-proxy &lt;upstream&gt; &lt;port&gt;</c>.</summary>
    public static void Run(string upstream, int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Services.AddHttpForwarder();
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
        app.MapForwarder("/{**path}", upstream, new Yarp.ReverseProxy.Forwarder.ForwarderRequestConfig { AllowResponseBuffering = false },
            Yarp.ReverseProxy.Forwarder.HttpTransformer.Default, invoker);
        app.Run();
    }

    /// <summary>Starts the proxy as a child process of this benchmark and waits until it answers.</summary>
    public static async Task<Process> StartAsync(Uri upstream, int port, HttpClient http)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (!Path.GetFileNameWithoutExtension(Environment.ProcessPath!).Equals(typeof(BareProxy).Assembly.GetName().Name, StringComparison.Ordinal))
        {
            // Run as "dotnet IronAspire.Load.Benchmarks.dll".
            start.ArgumentList.Add(typeof(BareProxy).Assembly.Location);
        }

        start.ArgumentList.Add(Command);
        start.ArgumentList.Add(upstream.ToString());
        start.ArgumentList.Add(port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine("bare-proxy: " + e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                using var response = await http.GetAsync($"http://127.0.0.1:{port}/health");
                return process;
            }
            catch (HttpRequestException) when (attempt < 100 && !process.HasExited)
            {
                await Task.Delay(100);
            }
        }
    }
}
