using System.Diagnostics;
using System.Text;
using IronAspire.Testing;
using IronAspire.Load.Benchmarks;

// Usage: dotnet run -c Release --project bench/IronAspire.Load.Benchmarks -- [seconds per scenario] [targets] [clients]
//   targets: comma-separated from direct,bare,reserving,router (default all); clients: comma-separated (default 1,16,64).
// The Budget service's own round trip is measured by bench/IronAspire.Budget.Benchmarks.
if (args is [BareProxy.Command, var upstream, var port, .. var rest])
{
    BareProxy.Run(upstream, int.Parse(port, System.Globalization.CultureInfo.InvariantCulture), rest.FirstOrDefault());
    return;
}

var seconds = args.Length > 0 ? double.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 5;
var duration = TimeSpan.FromSeconds(seconds);
var targetNames = args.Length > 1 ? args[1].Split(',') : ["direct", "bare", "reserving", "router"];
var concurrencies = args.Length > 2 ? args[2].Split(',').Select(int.Parse).ToArray() : [1, 16, 64];

Console.WriteLine($"Starting the application model (Release build, real Redis and PostgreSQL)... {Environment.ProcessorCount} cores");
await using var app = await IronAspireApp.StartAsync("--IRONASPIRE_DEFAULT_AGENT_BUDGET_USD=1000000");
var key = await app.ParameterAsync("demo-key");

var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
using var http = new HttpClient(handler);
var results = new List<LoadResult>();

{
    var direct = app.GetEndpoint("mock-provider");
    var router = app.GetEndpoint("router");
    var bareProxyPort = IronAspire.Testing.FreePort.Next();
    using var bareProxy = await BareProxy.StartAsync(direct, bareProxyPort, null, http);
    var proxy = new Uri($"http://127.0.0.1:{bareProxyPort}");
    var reservingPort = IronAspire.Testing.FreePort.Next();
    using var reservingProxy = await BareProxy.StartAsync(direct, reservingPort, await app.ConnectionStringAsync("cache"), http);
    var reserving = new Uri($"http://127.0.0.1:{reservingPort}");
    const string body = """{"model":"gpt-4o-mini","max_tokens":64,"messages":[{"role":"user","content":"Summarise the plot of a short story about a lighthouse keeper."}]}""";
    const string streamBody = """{"model":"gpt-4o-mini","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"Summarise the plot of a short story about a lighthouse keeper."}]}""";
    // The same call for a Claude model: the Router translates it to Messages for the MockProvider's Anthropic API and back.
    const string translatedBody = """{"model":"claude-haiku-4-5","max_tokens":64,"messages":[{"role":"user","content":"Summarise the plot of a short story about a lighthouse keeper."}]}""";
    const string translatedStreamBody = """{"model":"claude-haiku-4-5","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"Summarise the plot of a short story about a lighthouse keeper."}]}""";
    // Every service on the call path (Router, Budget, Analytics, Supervisor) compiles its hot code in tiers during its
    // first seconds of load; measure the steady state, not the JIT.
    Console.WriteLine("Warming up every service for 10 s...");
    await LoadRun.RunAsync("warm-up", 16, TimeSpan.FromSeconds(5), ct => TimeAsync(http, router, body, key, ct, firstByteOnly: false));
    await LoadRun.RunAsync("warm-up", 16, TimeSpan.FromSeconds(5), ct => TimeAsync(http, router, streamBody, key, ct, firstByteOnly: true));
    foreach (var concurrency in concurrencies)
    {
        foreach (var (name, target) in new[] { ("direct", direct), ("bare proxy", proxy), ("reserving proxy", reserving), ("router", router) })
        {
            if (!targetNames.Contains(name.Split(' ')[0]))
            {
                continue;
            }

            results.Add(await LoadRun.RunAsync($"chat non-streaming, {name}", concurrency, duration, ct => TimeAsync(http, target, body, key, ct, firstByteOnly: false)));
            Console.WriteLine(results[^1]);
            results.Add(await LoadRun.RunAsync($"chat streaming TTFB, {name}", concurrency, duration, ct => TimeAsync(http, target, streamBody, key, ct, firstByteOnly: true)));
            Console.WriteLine(results[^1]);
            if (name == "router")
            {
                results.Add(await LoadRun.RunAsync("chat non-streaming, router translated", concurrency, duration,
                    ct => TimeAsync(http, target, translatedBody, key, ct, firstByteOnly: false)));
                Console.WriteLine(results[^1]);
                // The whole stream, not the first byte: translation works on every event.
                results.Add(await LoadRun.RunAsync("chat streaming whole, router", concurrency, duration,
                    ct => TimeAsync(http, target, streamBody, key, ct, firstByteOnly: false)));
                Console.WriteLine(results[^1]);
                results.Add(await LoadRun.RunAsync("chat streaming whole, router translated", concurrency, duration,
                    ct => TimeAsync(http, target, translatedStreamBody, key, ct, firstByteOnly: false)));
                Console.WriteLine(results[^1]);
            }
        }
    }

    bareProxy.Kill();
    reservingProxy.Kill();

    if (targetNames.Contains("router"))
    {
        // Anthropic's provider, which no scenario above used (a circuit opens on the failure ratio of the last 30 s):
        // it fails every call (x-mock-fault) until its breaker opens, then the Router answers 503 at once without
        // calling it. Measured at one client, against the direct call above.
        const string messages = "/v1/messages";
        const string claude = """{"model":"claude-haiku-4-5","max_tokens":64,"messages":[{"role":"user","content":"Summarise the plot of a short story about a lighthouse keeper."}]}""";
        for (var i = 0; i < 40; i++)
        {
            using var open = new HttpRequestMessage(HttpMethod.Post, new Uri(router, messages)) { Content = new StringContent(claude, Encoding.UTF8, "application/json") };
            open.Headers.Authorization = new("Bearer", key);
            open.Headers.Add("x-mock-fault", "status:500");
            using var answer = await http.SendAsync(open);
            if (answer.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable
                && (await answer.Content.ReadAsStringAsync()).Contains("circuit", StringComparison.Ordinal))
            {
                break;
            }
        }

        results.Add(await LoadRun.RunAsync("circuit open: 503 fail-fast, router", 1, TimeSpan.FromSeconds(Math.Min(seconds, 20)),
            ct => TimeAsync(http, router, claude, key, ct, firstByteOnly: false, expectedStatus: 503, path: messages)));
        Console.WriteLine(results[^1]);
    }
}

Console.WriteLine();
Console.WriteLine("| scenario | clients | req/s | p50 ms | p99 ms | failures |");
Console.WriteLine("|---|---:|---:|---:|---:|---:|");
foreach (var result in results)
{
    Console.WriteLine(result);
}

{
    Console.WriteLine();
    Console.WriteLine("| added latency over direct | clients | p50 ms | p99 ms |");
    Console.WriteLine("|---|---:|---:|---:|");
    foreach (var kind in new[] { "chat non-streaming", "chat streaming TTFB" })
    {
        foreach (var via in new[] { "bare proxy", "reserving proxy", "router" })
        {
            foreach (var concurrency in concurrencies)
            {
                var d = results.SingleOrDefault(r => r.Scenario == $"{kind}, direct" && r.Concurrency == concurrency);
                var r = results.SingleOrDefault(r => r.Scenario == $"{kind}, {via}" && r.Concurrency == concurrency);
                if (d is null || r is null)
                {
                    continue;
                }

                Console.WriteLine($"| {kind}, {via} | {concurrency} | {r.P50Ms - d.P50Ms:0.000} | {r.P99Ms - d.P99Ms:0.000} |");
            }
        }
    }
}

{
    Console.WriteLine();
    Console.WriteLine("| translation over the same call within one API (Chat Completions → Messages → back) | clients | p50 ms | p99 ms |");
    Console.WriteLine("|---|---:|---:|---:|");
    foreach (var (translated, native) in new[] { ("chat non-streaming, router translated", "chat non-streaming, router"), ("chat streaming whole, router translated", "chat streaming whole, router") })
    {
        foreach (var concurrency in concurrencies)
        {
            var n = results.SingleOrDefault(r => r.Scenario == native && r.Concurrency == concurrency);
            var t = results.SingleOrDefault(r => r.Scenario == translated && r.Concurrency == concurrency);
            if (n is not null && t is not null)
            {
                Console.WriteLine($"| {translated} | {concurrency} | {t.P50Ms - n.P50Ms:0.000} | {t.P99Ms - n.P99Ms:0.000} |");
            }
        }
    }
}

static async Task<double?> TimeAsync(HttpClient http, Uri target, string body, string key, CancellationToken ct, bool firstByteOnly,
    int expectedStatus = 200, string path = "/v1/chat/completions")
{
    using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(target, path)) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
    request.Headers.Authorization = new("Bearer", key);
    var stopwatch = Stopwatch.StartNew();
    using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
    if ((int)response.StatusCode != expectedStatus)
    {
        return null;
    }

    await using var stream = await response.Content.ReadAsStreamAsync(ct);
    var buffer = new byte[16 * 1024];
    var first = await stream.ReadAsync(buffer, ct);
    var ttfb = stopwatch.Elapsed.TotalMilliseconds;
    while (await stream.ReadAsync(buffer, ct) > 0)
    {
    }

    return first == 0 ? null : firstByteOnly ? ttfb : stopwatch.Elapsed.TotalMilliseconds;
}
