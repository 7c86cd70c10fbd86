using System.Globalization;
using IronAspire.Load.Benchmarks;
using IronAspire.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// Usage: dotnet run -c Release --project bench/IronAspire.Load.Benchmarks -- [seconds per row] [targets] [clients] [--runs N]
//   targets: comma-separated from direct,bare,reserving,router,portkey (default all); clients: comma-separated (default 1,16,64);
//   --runs: repeat the whole measurement N times and print each run's tables, then the median of each row (default 1).
// The Budget service's own round trip is measured by bench/IronAspire.Budget.Benchmarks.
if (args is [BareProxy.Command, var upstream, var proxyPort, .. var rest])
{
    BareProxy.Run(upstream, int.Parse(proxyPort, CultureInfo.InvariantCulture), rest.FirstOrDefault());
    return 0;
}

var runs = 1;
var positional = new List<string>();
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--runs" && i + 1 < args.Length)
    {
        runs = int.Parse(args[++i], CultureInfo.InvariantCulture);
    }
    else
    {
        positional.Add(args[i]);
    }
}

var seconds = positional.Count > 0 ? double.Parse(positional[0], CultureInfo.InvariantCulture) : 5;
var targetNames = positional.Count > 1 ? positional[1].Split(',') : ["direct", "bare", "reserving", "router", "portkey"];
var concurrencies = positional.Count > 2 ? positional[2].Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToArray() : [1, 16, 64];

Console.WriteLine($"Starting the application model (Release build, real Redis, PostgreSQL and RabbitMQ)... {Environment.ProcessorCount} cores");
// The AppHost runs in this process: it would print every line each service logs, on the load generator's cores.
await using var app = await IronAspireApp.StartAsync("--IRONASPIRE_DEFAULT_AGENT_BUDGET_USD=1000000", "--Logging:LogLevel:IronAspire.AppHost.Resources=Warning");
var key = await app.ParameterAsync("demo-key");

var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
using var http = new HttpClient(handler);
// Every process this benchmark starts is stopped when it ends, however it ends.
using var children = new ChildProcesses();
await using var cpu = new ProcessCpu(app);
await cpu.WaitForResourcesAsync();
var scenarios = new Scenarios(http, key, new RowCostMeter(cpu), TimeSpan.FromSeconds(seconds));

// SIGINT/SIGTERM stop the AppHost running in this process (and with it every service): the benchmark stops too,
// and leaving Main stops the processes it started.
var stopped = new TaskCompletionSource();
using var stopping = app.App.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(() => stopped.TrySetResult());
var benchmark = BenchmarkAsync();
if (await Task.WhenAny(benchmark, stopped.Task) != benchmark)
{
    Console.Error.WriteLine("Stopped by a signal: the application model is shutting down; no figures.");
    return 130;
}

await benchmark;
return 0;

async Task BenchmarkAsync()
{
    var direct = app.GetEndpoint("mock-provider");
    var routerUri = RouterReplica.DirectUri(cpu.RouterProcesses()) ?? app.GetEndpoint("router");
    Console.WriteLine($"router: calls go to {routerUri} ({(routerUri == app.GetEndpoint("router") ? "DCP's proxy in front of the replicas" : "the replica itself, not DCP's proxy")}).");
    var router = new Target("router", routerUri, []);
    var targets = new List<Target> { new("direct", direct, []) };
    if (targetNames.Contains("bare"))
    {
        var port = FreePort.Next();
        cpu.AddChild((await BareProxy.StartAsync(children, direct, port, null, http)).Id);
        targets.Add(new("bare proxy", new Uri($"http://127.0.0.1:{port}"), []));
    }

    if (targetNames.Contains("reserving"))
    {
        var port = FreePort.Next();
        cpu.AddChild((await BareProxy.StartAsync(children, direct, port, await app.ConnectionStringAsync("cache"), http)).Id);
        targets.Add(new("reserving proxy", new Uri($"http://127.0.0.1:{port}"), []));
    }

    targets.Add(router);
    if (targetNames.Contains("portkey"))
    {
        var port = FreePort.Next();
        cpu.AddChild((await PortkeyGateway.StartAsync(children, RepositoryRoot.Find(), port, http)).Id);
        targets.Add(new("portkey", new Uri($"http://127.0.0.1:{port}"), PortkeyGateway.Headers(direct)));
    }

    targets.RemoveAll(t => !targetNames.Contains(t.FilterName));
    await scenarios.VerifyAsync(targets);

    var all = new List<List<LoadResult>>();
    for (var run = 1; run <= runs; run++)
    {
        Console.WriteLine();
        Console.WriteLine($"Run {run} of {runs}");
        var runTime = System.Diagnostics.Stopwatch.StartNew();
        await scenarios.WarmUpAsync(router);
        var results = await scenarios.RunAsync(targets, concurrencies);
        if (targetNames.Contains("router") && await scenarios.CircuitOpenAsync(router, closeAfter: run < runs) is { } circuit)
        {
            results.Add(circuit);
        }

        all.Add(results);
        Report.Rows($"Run {run} of {runs} ({runTime.Elapsed.TotalMinutes:0.0} min):", results);
        Report.Cpu(results);
        Report.AddedLatency(results, concurrencies);
        Report.Translation(results, concurrencies);
    }

    var final = all.Count == 1 ? all[0] : Report.Medians(all);
    if (all.Count > 1)
    {
        Report.Rows($"Median of {all.Count} runs (each column's median on its own):", final);
        Report.Cpu(final);
        Report.AddedLatency(final, concurrencies);
    }

    Goals.Print(final, all.Count == 1 ? "this run" : $"medians of {all.Count} runs");
}
