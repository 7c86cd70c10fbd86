using System.Globalization;

namespace IronAspire.Load.Benchmarks;

/// <summary>The tables printed after a run (and after all runs, their medians).</summary>
public static class Report
{
    public static void Rows(string title, IReadOnlyList<LoadResult> results)
    {
        Console.WriteLine();
        Console.WriteLine(title);
        Console.WriteLine("| scenario | clients | req/s | p50 ms | p99 ms | failures | CPU µs/call | Router B/call |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var result in results)
        {
            Console.WriteLine(result);
        }
    }

    /// <summary>Per row: CPU of every process of the run per completed call, in µs, and what the Router allocated per call.</summary>
    public static void Cpu(IReadOnlyList<LoadResult> results)
    {
        Console.WriteLine();
        Console.WriteLine("CPU per completed call, µs (utime+stime of every process of the run over the measured window), and the Router's GC allocations per call:");
        Console.WriteLine($"| row | clients | total | {string.Join(" | ", ProcessCpu.Columns)} | Router B/call |");
        Console.WriteLine($"|---|---:|---:|{string.Concat(ProcessCpu.Columns.Select(_ => "---:|"))}---:|");
        foreach (var result in results.Where(r => r.Cost is not null))
        {
            var cost = result.Cost!;
            var columns = ProcessCpu.Columns.Select(c => cost.CpuMicrosecondsPerCall.TryGetValue(c, out var us) ? us.ToString("0", CultureInfo.InvariantCulture) : "");
            Console.WriteLine($"| {result.Scenario} | {result.Concurrency} | {cost.TotalCpuMicroseconds:0} | {string.Join(" | ", columns)} | {cost.RouterBytesPerCall:0} |");
        }
    }

    public static void AddedLatency(IReadOnlyList<LoadResult> results, int[] concurrencies)
    {
        Console.WriteLine();
        Console.WriteLine("| added latency over direct | clients | p50 ms | p99 ms |");
        Console.WriteLine("|---|---:|---:|---:|");
        foreach (var kind in new[] { "chat non-streaming", "chat streaming TTFB" })
        {
            foreach (var via in new[] { "bare proxy", "reserving proxy", "router", "portkey" })
            {
                foreach (var concurrency in concurrencies)
                {
                    if (Find(results, $"{kind}, direct", concurrency) is { } d && Find(results, $"{kind}, {via}", concurrency) is { } r)
                    {
                        Console.WriteLine($"| {kind}, {via} | {concurrency} | {r.P50Ms - d.P50Ms:0.000} | {r.P99Ms - d.P99Ms:0.000} |");
                    }
                }
            }
        }
    }

    public static void Translation(IReadOnlyList<LoadResult> results, int[] concurrencies)
    {
        Console.WriteLine();
        Console.WriteLine("| translation over the same call within one API (Chat Completions → Messages → back) | clients | p50 ms | p99 ms |");
        Console.WriteLine("|---|---:|---:|---:|");
        foreach (var (translated, native) in new[] { ("chat non-streaming, router translated", "chat non-streaming, router"), ("chat streaming whole, router translated", "chat streaming whole, router") })
        {
            foreach (var concurrency in concurrencies)
            {
                if (Find(results, native, concurrency) is { } n && Find(results, translated, concurrency) is { } t)
                {
                    Console.WriteLine($"| {translated} | {concurrency} | {t.P50Ms - n.P50Ms:0.000} | {t.P99Ms - n.P99Ms:0.000} |");
                }
            }
        }
    }

    /// <summary>Per row, the median over the runs of req/s, p50, p99, total CPU per call (and of each process's share and the Router's bytes).</summary>
    public static List<LoadResult> Medians(IReadOnlyList<List<LoadResult>> runs) =>
    [
        .. runs.SelectMany(r => r).GroupBy(r => (r.Scenario, r.Concurrency)).Select(g =>
        {
            var rows = g.ToList();
            var costs = rows.Where(r => r.Cost is not null).Select(r => r.Cost!).ToList();
            var cost = costs.Count == 0 ? null : new RowCost(
                ProcessCpu.Columns.ToDictionary(c => c, c => Median(costs.Select(x => x.CpuMicrosecondsPerCall.GetValueOrDefault(c)))),
                costs.Any(c => c.RouterBytesPerCall is not null) ? Median(costs.Select(c => c.RouterBytesPerCall ?? double.NaN)) : null,
                Median(costs.Select(c => c.TotalCpuMicroseconds)));
            return new LoadResult(g.Key.Scenario, g.Key.Concurrency, (int)Median(rows.Select(r => (double)r.Requests)), (int)Median(rows.Select(r => (double)r.Failures)),
                Median(rows.Select(r => r.RequestsPerSecond)), Median(rows.Select(r => r.P50Ms)), Median(rows.Select(r => r.P99Ms)), cost);
        }),
    ];

    public static LoadResult? Find(IReadOnlyList<LoadResult> results, string scenario, int concurrency) =>
        results.FirstOrDefault(r => r.Scenario == scenario && r.Concurrency == concurrency);

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
