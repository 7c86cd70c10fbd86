using System.Diagnostics;
using System.Text;
using IronAspire.AppHost;
using IronAspire.Hosting.ApplicationModel;
using IronAspire.Hosting.Testing;
using IronAspire.Load.Benchmarks;

// Usage: dotnet run -c Release --project bench/IronAspire.Load.Benchmarks -- [seconds per scenario]
// The Budget service's own round trip is measured by bench/IronAspire.Budget.Benchmarks.
var seconds = args.Length > 0 ? double.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 5;
var duration = TimeSpan.FromSeconds(seconds);

Console.WriteLine($"Starting the application model (Release build, real Redis and PostgreSQL)... {Environment.ProcessorCount} cores");
var builder = await DistributedApplicationTestingBuilder.CreateAsync(IronAspireModel.Declare, "--IRONASPIRE_DEFAULT_AGENT_BUDGET_USD=1000000", "--ASPNETCORE_ENVIRONMENT=Production");
await using var app = builder.Build();
await app.StartAsync();
var key = app.GetResource<ParameterResource>("demo-key").Value;

var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
using var http = new HttpClient(handler);
var results = new List<LoadResult>();

{
    var direct = app.GetEndpoint("mock-provider");
    var router = app.GetEndpoint("router");
    const string body = """{"model":"gpt-4o-mini","max_tokens":64,"messages":[{"role":"user","content":"Summarise the plot of a short story about a lighthouse keeper."}]}""";
    const string streamBody = """{"model":"gpt-4o-mini","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"Summarise the plot of a short story about a lighthouse keeper."}]}""";
    // Every service on the call path (Router, Budget, Analytics, Supervisor) compiles its hot code in tiers during its
    // first seconds of load; measure the steady state, not the JIT.
    Console.WriteLine("Warming up every service for 10 s...");
    await LoadRun.RunAsync("warm-up", 16, TimeSpan.FromSeconds(5), ct => TimeAsync(http, router, body, key, ct, firstByteOnly: false));
    await LoadRun.RunAsync("warm-up", 16, TimeSpan.FromSeconds(5), ct => TimeAsync(http, router, streamBody, key, ct, firstByteOnly: true));
    foreach (var concurrency in new[] { 1, 16, 64 })
    {
        foreach (var (name, target) in new[] { ("direct", direct), ("router", router) })
        {
            results.Add(await LoadRun.RunAsync($"chat non-streaming, {name}", concurrency, duration, ct => TimeAsync(http, target, body, key, ct, firstByteOnly: false)));
            Console.WriteLine(results[^1]);
            results.Add(await LoadRun.RunAsync($"chat streaming TTFB, {name}", concurrency, duration, ct => TimeAsync(http, target, streamBody, key, ct, firstByteOnly: true)));
            Console.WriteLine(results[^1]);
        }
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
    Console.WriteLine("| Router added latency | clients | p50 ms | p99 ms |");
    Console.WriteLine("|---|---:|---:|---:|");
    foreach (var kind in new[] { "chat non-streaming", "chat streaming TTFB" })
    {
        foreach (var concurrency in new[] { 1, 16, 64 })
        {
            var d = results.Single(r => r.Scenario == $"{kind}, direct" && r.Concurrency == concurrency);
            var r = results.Single(r => r.Scenario == $"{kind}, router" && r.Concurrency == concurrency);
            Console.WriteLine($"| {kind} | {concurrency} | {r.P50Ms - d.P50Ms:0.000} | {r.P99Ms - d.P99Ms:0.000} |");
        }
    }
}

static async Task<double?> TimeAsync(HttpClient http, Uri target, string body, string key, CancellationToken ct, bool firstByteOnly)
{
    using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(target, "/v1/chat/completions")) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
    request.Headers.Authorization = new("Bearer", key);
    var stopwatch = Stopwatch.StartNew();
    using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
    if (!response.IsSuccessStatusCode)
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
