namespace IronAspire.Pii.Benchmarks;

/// <summary>
/// The same benchmarks timed by the thread's CPU time (Linux schedstat) instead of wall-clock time. On a shared,
/// overloaded machine wall-clock time mostly measures waiting for a core; CPU time measures the work. Run with --cpu.
/// </summary>
public static class CpuTimeRun
{
    private const int Samples = 21;

    public static void Run()
    {
        Console.WriteLine($"CPU-time run: {Samples} samples each, median and p95 per operation; load average {File.ReadAllText("/proc/loadavg").Trim()}");
        Console.WriteLine("| Benchmark | Median | P95 | MB/s (median) |");
        Console.WriteLine("|---|---:|---:|---:|");
        foreach (var perKb in new[] { 0, 1, 10 })
        {
            var scan = new ScanBenchmarks { EntitiesPerKb = perKb };
            scan.Setup();
            Report($"Scan, {perKb} entities/KB (64 KB)", () => scan.Scan(), ScanBenchmarks.Size);
            Report($"Redact, {perKb} entities/KB (64 KB)", () => scan.Redact(), ScanBenchmarks.Size);
            Report($"Stream in 64-char deltas, {perKb} entities/KB (64 KB)", () => scan.Stream(), ScanBenchmarks.Size);
        }

        var router = new RouterCostBenchmarks();
        router.Setup();
        Report("Router: redact 1 KB JSON body (parse, redact, serialise)", () => router.RedactJsonBody(), 0);
        Report("Router: JSON parse + serialise only", () => router.JsonRoundTripOnly(), 0);
        Report("Router: redact completion text only", () => router.RedactContent(), 0);
        Report("Router: stream completion text in 20-char deltas", () => router.StreamDeltas(), 0);
    }

    private static void Report(string name, Func<object> operation, int bytes)
    {
        // Calibrate to about 20 ms of CPU per sample.
        var ops = 1;
        while (Cpu(operation, ops) < TimeSpan.FromMilliseconds(20) && ops < 1 << 24)
        {
            ops *= 2;
        }

        var perOp = Enumerable.Range(0, Samples).Select(_ => Cpu(operation, ops).TotalNanoseconds / ops).Order().ToArray();
        var median = perOp[Samples / 2];
        var p95 = perOp[(int)Math.Ceiling(Samples * 0.95) - 1];
        var rate = bytes > 0 ? (bytes / median * 1e9 / 1e6).ToString("N0") : "-";
        Console.WriteLine($"| {name} | {Format(median)} | {Format(p95)} | {rate} |");
    }

    private static string Format(double ns) => ns >= 1000 ? $"{ns / 1000:N2} µs" : $"{ns:N0} ns";

    private static TimeSpan Cpu(Func<object> operation, int ops)
    {
        var before = Now();
        for (var i = 0; i < ops; i++)
        {
            GC.KeepAlive(operation());
        }

        return Now() - before;
    }

    private static TimeSpan Now()
    {
        var fields = File.ReadAllText("/proc/thread-self/schedstat").Split(' ');
        return TimeSpan.FromTicks(long.Parse(fields[0]) / 100);
    }
}
