using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using IronAspire.Budget.Budgets;
using IronAspire.Contracts.Budget;
using IronAspire.Testing;
using IronAspire.Load.Benchmarks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace IronAspire.Budget.Benchmarks;

public static class BudgetBenchmark
{
    public static async Task Main(string[] args)
    {
        // Usage: dotnet run -c Release --project bench/IronAspire.Budget.Benchmarks -- [seconds per scenario] [concurrency,...] [call ms]
        var seconds = args.Length > 0 ? double.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 5;
        var levels = args.Length > 1 ? args[1].Split(',').Select(int.Parse).ToArray() : [1, 64];
        // The agents' scenario: each caller holds its reservation while its LLM call runs (real calls take 0.3-30 s).
        var callMs = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 50;
        var duration = TimeSpan.FromSeconds(seconds);

        Console.WriteLine($"Budget round trip: real Redis and PostgreSQL, Budget service on Kestrel (loopback), {Environment.ProcessorCount} cores");
        var redis = await BackingServers.RedisAsync();
        var database = await BackingServers.PostgresDatabaseAsync("budget_bench");
        var messaging = await BackingServers.RabbitMqAsync();
        var port = FreePort();
        // The service's content root is its build output here (the bench is not beside it in the solution's layout).
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_IRONASPIRE_BUDGET", AppContext.BaseDirectory);
        await using var service = new BudgetService(redis, database, messaging);
        service.UseKestrel(port);
        service.StartServer();

        var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
        using var http = new HttpClient(handler) { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var budget = new BudgetClient(http);
        const string Agent = "bench-agent";
        await budget.SetAgentBudgetAsync(Agent, new BudgetLimitRequest(1_000_000_000m));
        var store = service.Services.GetRequiredService<BudgetStore>();
        // A typical chat call: input bounded by 200 tokens, output capped at 64; it used 30 in and 48 out.
        var reservation = new ReservationRequest(Agent, null, "gpt-4o-mini", 200, 64);
        var usage = new CommitRequest(30, 48);

        var results = new List<LoadResult>();
        foreach (var concurrency in levels)
        {
            results.Add(await LoadRun.RunAsync("reserve+commit over HTTP", concurrency, duration, async ct =>
            {
                var stopwatch = Stopwatch.StartNew();
                if (await budget.ReserveAsync(reservation, ct) is not BudgetReserveResult.Reserved reserved)
                {
                    return null;
                }

                var settled = await budget.CommitAsync(reserved.Reservation.ReservationId, usage, ct);
                return settled.Status == BudgetSettleStatus.Settled ? stopwatch.Elapsed.TotalMilliseconds : null;
            }));
            Console.WriteLine(results[^1]);

            results.Add(await LoadRun.RunAsync("reserve+commit on the store (Lua)", concurrency, duration, async _ =>
            {
                var stopwatch = Stopwatch.StartNew();
                if (await store.ReserveAsync(reservation) is not ReserveOutcome.Reserved reserved)
                {
                    return null;
                }

                var settled = await store.CommitAsync(reserved.Reservation.ReservationId, usage);
                return settled is { Result.AlreadySettled: false } ? stopwatch.Elapsed.TotalMilliseconds : null;
            }));
            Console.WriteLine(results[^1]);
        }

        // Closed loops measure saturation: with no work between round trips, latency is callers / throughput. Agents do
        // work between reserve and commit (the call itself), so time only the two budget requests of each call.
        foreach (var concurrency in levels.Where(c => c > 1))
        {
            results.Add(await LoadRun.RunAsync($"agents: reserve, {callMs} ms call, commit (HTTP)", concurrency, duration, async ct =>
            {
                var stopwatch = Stopwatch.StartNew();
                if (await budget.ReserveAsync(reservation, ct) is not BudgetReserveResult.Reserved reserved)
                {
                    return null;
                }

                var reserveMs = stopwatch.Elapsed.TotalMilliseconds;
                await Task.Delay(callMs, ct);
                stopwatch.Restart();
                var settled = await budget.CommitAsync(reserved.Reservation.ReservationId, usage, ct);
                return settled.Status == BudgetSettleStatus.Settled ? reserveMs + stopwatch.Elapsed.TotalMilliseconds : null;
            }));
            Console.WriteLine(results[^1]);
        }

        var status = await budget.GetAgentBudgetAsync(Agent);
        Console.WriteLine();
        Console.WriteLine($"| scenario | clients | round trips/s | p50 ms | p99 ms | failures |   (spent {status!.SpentUsd} USD, reserved {status.ReservedUsd} USD after the run)");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (var result in results)
        {
            Console.WriteLine(result);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>The Budget service as it runs in production (Production environment, warnings-only logs) on real Kestrel.</summary>
internal sealed class BudgetService(string redis, string database, string messaging) : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseSetting("ConnectionStrings:cache", redis);
        builder.UseSetting("ConnectionStrings:budgetdb", database);
        builder.UseSetting("ConnectionStrings:messaging", messaging);
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
    }
}
