using System.Diagnostics;

namespace IronAspire.Load.Benchmarks;

/// <summary>Latency figures of one scenario: every request timed, then sorted (no sampling, no averaging of percentiles).</summary>
public sealed record LoadResult(string Scenario, int Concurrency, int Requests, int Failures, double RequestsPerSecond, double P50Ms, double P99Ms, RowCost? Cost = null)
{
    public override string ToString() =>
        $"| {Scenario,-40} | {Concurrency,3} | {RequestsPerSecond,9:0} | {P50Ms,8:0.000} | {P99Ms,8:0.000} | {Failures,5} |"
        + (Cost is null ? "" : $" {Cost.TotalCpuMicroseconds,7:0} | {Cost.RouterBytesPerCall,8:0} |");
}

/// <summary>What one completed call of a row cost: CPU of every process of the run (µs per column) and the Router's allocations.</summary>
/// <param name="Total">The total when it is not the columns' sum (a median of totals).</param>
public sealed record RowCost(IReadOnlyDictionary<string, double> CpuMicrosecondsPerCall, double? RouterBytesPerCall, double? Total = null)
{
    public double TotalCpuMicroseconds => Total ?? CpuMicrosecondsPerCall.Values.Sum();
}

/// <summary>Measures what a row's calls cost over its measured window (the load benchmark's <c>RowCostMeter</c>).</summary>
public interface IRowMeter
{
    /// <summary>Before the row's warm-up.</summary>
    Task<IRowWindow> PrepareAsync();
}

public interface IRowWindow : IAsyncDisposable
{
    /// <summary>At the start of the measured window.</summary>
    void Begin();

    /// <summary>At its end, with the calls the row completed.</summary>
    Task<RowCost> EndAsync(int calls);
}

/// <summary>Runs <paramref name="concurrency"/> closed loops of one request kind for a fixed time after a warm-up.</summary>
public static class LoadRun
{
    /// <param name="meter">Measures what the calls of the measured window cost.</param>
    public static async Task<LoadResult> RunAsync(string scenario, int concurrency, TimeSpan duration, Func<CancellationToken, Task<double?>> request,
        IRowMeter? meter = null)
    {
        await using var cost = meter is null ? null : await meter.PrepareAsync();
        // Warm-up: connections, JIT, tiered compilation.
        await LoopAsync(concurrency, TimeSpan.FromSeconds(1.5), request, null);
        var samples = new List<double>[concurrency];
        var failures = new int[concurrency];
        cost?.Begin();
        var stopwatch = Stopwatch.StartNew();
        await LoopAsync(concurrency, duration, request, (worker, ms) =>
        {
            if (ms is { } value)
            {
                (samples[worker] ??= new List<double>(100_000)).Add(value);
            }
            else
            {
                failures[worker]++;
            }
        });
        var elapsed = stopwatch.Elapsed.TotalSeconds;
        var rowCost = cost is null ? null : await cost.EndAsync(samples.Sum(s => s?.Count ?? 0));
        var all = samples.Where(s => s is not null).SelectMany(s => s).Order().ToArray();
        return new LoadResult(scenario, concurrency, all.Length, failures.Sum(), all.Length / elapsed, Percentile(all, 0.50), Percentile(all, 0.99), rowCost);
    }

    private static async Task LoopAsync(int concurrency, TimeSpan duration, Func<CancellationToken, Task<double?>> request, Action<int, double?>? record)
    {
        using var stop = new CancellationTokenSource(duration);
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(worker => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                double? ms;
                try
                {
                    ms = await request(CancellationToken.None);
                }
                catch (HttpRequestException)
                {
                    ms = null;
                }

                record?.Invoke(worker, ms);
            }
        })));
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
