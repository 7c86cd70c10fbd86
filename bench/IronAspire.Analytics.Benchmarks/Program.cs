using System.Diagnostics;
using System.Globalization;
using IronAspire.Contracts.Events;
using IronAspire.EventBus;
using IronAspire.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace IronAspire.Analytics.Benchmarks;

// Usage: IronAspire.Analytics.Benchmarks [burstEvents=50000] [paceRate=5000] [paceSeconds=20]
//  1. burst: publish burstEvents as fast as the publisher can; ingestion rate = events / (first publish -> last row stored).
//  2. paced: publish paceRate events/s for paceSeconds; lag = publish -> row visible in PostgreSQL for a 1-in-20 sample.
internal static class AnalyticsBenchmark
{
    public static async Task<int> Main(string[] args)
    {
        var burst = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 50_000;
        var rate = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5_000;
        var seconds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 20;
        // Calls per message: 0 publishes each call as its own LlmRequestCompleted (as Routers did before issue 17),
        // N > 0 publishes CallEventBatch messages of N calls, as the Router does (a batch per 50 ms or 200 calls).
        var perBatch = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 0;
        Console.WriteLine(perBatch > 0 ? $"Publishing CallEventBatch messages of {perBatch} calls" : "Publishing one LlmRequestCompleted per call");

        // The service project is not beside the solution under its own name; its content (appsettings) is in our output.
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_IRONASPIRE_ANALYTICS", AppContext.BaseDirectory);
        var rabbit = await BackingServers.RabbitMqAsync();
        var postgres = await BackingServers.PostgresDatabaseAsync("analyticsbench");
        await using var analytics = new AnalyticsHost(postgres, rabbit);
        _ = analytics.Services; // start: migrations, consumers bound
        await using var data = NpgsqlDataSource.Create(postgres);

        var publisherBuilder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ApplicationName = "IronAspire.AnalyticsBench" });
        publisherBuilder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:messaging"] = rabbit,
            ["EventBus:PublishConcurrency"] = "256",
            ["Logging:LogLevel:Default"] = "Warning",
        });
        publisherBuilder.AddEventBus();
        using var publisherHost = publisherBuilder.Build();
        await publisherHost.StartAsync();
        var publisher = publisherHost.Services.GetRequiredService<IEventPublisher>();

        Console.WriteLine($"Machine: {Environment.ProcessorCount} cores; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]} at start");

        // Warm-up: connections, JIT, first batches.
        await PublishAsync("warmup", 2_000, rate: 0);
        await WaitForRowsAsync("warmup", 2_000, TimeSpan.FromMinutes(2));

        // 1. Burst
        var run = "burst";
        var clock = Stopwatch.StartNew();
        await PublishAsync(run, burst, rate: 0);
        var published = clock.Elapsed;
        await publisher.FlushAsync();
        var confirmed = clock.Elapsed;
        var stored = await WaitForRowsAsync(run, burst, TimeSpan.FromMinutes(5));
        var total = clock.Elapsed;
        Console.WriteLine($"burst: {burst} events accepted in {published.TotalSeconds:F2} s, confirmed by RabbitMQ after {confirmed.TotalSeconds:F2} s " +
            $"({burst / confirmed.TotalSeconds:F0}/s), {stored} stored after {total.TotalSeconds:F2} s -> ingestion {stored / total.TotalSeconds:F0} events/s");

        // 2. Paced, with lag samples
        run = "paced";
        var samples = new System.Collections.Concurrent.ConcurrentDictionary<Guid, long>();
        var lags = new List<double>();
        using var stop = new CancellationTokenSource();
        var poller = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested || !samples.IsEmpty)
            {
                await Task.Delay(50);
                var ids = samples.Keys.ToArray();
                if (ids.Length == 0)
                {
                    continue;
                }

                await using var command = data.CreateCommand("SELECT event_id FROM llm_requests WHERE event_id = ANY(@ids)");
                command.Parameters.Add(new NpgsqlParameter<Guid[]>("ids", ids));
                await using var reader = await command.ExecuteReaderAsync();
                var now = Stopwatch.GetTimestamp();
                while (await reader.ReadAsync())
                {
                    if (samples.TryRemove(reader.GetGuid(0), out var at))
                    {
                        lock (lags)
                        {
                            lags.Add(Stopwatch.GetElapsedTime(at, now).TotalMilliseconds);
                        }
                    }
                }

                if (stop.IsCancellationRequested && clock.Elapsed > TimeSpan.FromMinutes(5))
                {
                    break;
                }
            }
        });

        clock.Restart();
        var count = rate * seconds;
        await PublishAsync(run, count, rate, samples);
        var pacedPublished = clock.Elapsed;
        var pacedStored = await WaitForRowsAsync(run, count, TimeSpan.FromMinutes(5));
        var pacedTotal = clock.Elapsed;
        await stop.CancelAsync();
        await poller;
        lags.Sort();
        Console.WriteLine($"paced: {count} events at {rate}/s target, published in {pacedPublished.TotalSeconds:F2} s ({count / pacedPublished.TotalSeconds:F0}/s), " +
            $"{pacedStored} stored after {pacedTotal.TotalSeconds:F2} s");
        Console.WriteLine($"lag publish -> queryable ({lags.Count} samples): p50 {Percentile(0.50):F0} ms, p90 {Percentile(0.90):F0} ms, p99 {Percentile(0.99):F0} ms, max {lags[^1]:F0} ms");
        Console.WriteLine($"load average at end {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
        await publisherHost.StopAsync();
        return 0;

        double Percentile(double p) => lags.Count == 0 ? double.NaN : lags[(int)Math.Min(lags.Count - 1, Math.Ceiling(p * lags.Count) - 1)];

        async Task PublishAsync(string agent, int events, int rate, System.Collections.Concurrent.ConcurrentDictionary<Guid, long>? sample = null)
        {
            var start = Stopwatch.GetTimestamp();
            var batch = new List<CallEvents>(Math.Max(perBatch, 1));
            for (var i = 0; i < events; i++)
            {
                if (rate > 0 && i % 50 == 0)
                {
                    // Pace in steps of 50 events: wait until the schedule says event i is due.
                    var due = TimeSpan.FromSeconds((double)i / rate) - Stopwatch.GetElapsedTime(start);
                    if (due > TimeSpan.Zero)
                    {
                        await Task.Delay(due);
                    }
                }

                var e = new LlmRequestCompleted(Guid.NewGuid(), $"req-{i}", agent, "bench", "openai", i % 2 == 0 ? "gpt-4o-mini" : "gpt-4o",
                    100 + i % 1000, 0, 50 + i % 300, 0.0001m, 200 + i % 500, 50, false, 200, DateTimeOffset.UtcNow);
                if (sample is not null && i % 20 == 0)
                {
                    sample[e.EventId] = Stopwatch.GetTimestamp();
                }

                if (perBatch == 0)
                {
                    await publisher.PublishAsync(e);
                    continue;
                }

                batch.Add(new CallEvents(e, null, []));
                if (batch.Count == perBatch || i == events - 1)
                {
                    await publisher.PublishAsync(new CallEventBatch(Guid.NewGuid(), batch, DateTimeOffset.UtcNow));
                    batch = new List<CallEvents>(perBatch);
                }
            }
        }

        async Task<long> WaitForRowsAsync(string agent, long expected, TimeSpan timeout)
        {
            var deadline = Stopwatch.StartNew();
            long rows = 0;
            while (deadline.Elapsed < timeout)
            {
                await using var command = data.CreateCommand("SELECT count(*) FROM llm_requests WHERE agent_id = @agent");
                command.Parameters.Add(new NpgsqlParameter<string>("agent", agent));
                rows = (long)(await command.ExecuteScalarAsync())!;
                if (rows >= expected)
                {
                    break;
                }

                await Task.Delay(20);
            }

            return rows;
        }
    }
}

/// <summary>The Analytics service in-process on its real configuration (Production, warning logs).</summary>
internal sealed class AnalyticsHost(string postgres, string rabbit) : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseSetting("ConnectionStrings:analyticsdb", postgres);
        builder.UseSetting("ConnectionStrings:messaging", rabbit);
        builder.UseSetting("EventBus:QueuePrefix", "analytics-bench");
        // The query API requires a credential (issue 13); the benchmark reads PostgreSQL directly and never calls it.
        builder.UseSetting("IRONASPIRE_ADMIN_KEY", "analytics-bench-admin-key");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
    }
}
