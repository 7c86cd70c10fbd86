namespace IronAspire.Load.Benchmarks;

/// <summary>Issue 17's goals, each computed from the rows of the same run (the medians when there are several runs).</summary>
public static class Goals
{
    private const string NonStreaming = "chat non-streaming";
    private const string Streaming = "chat streaming TTFB";

    public static void Print(IReadOnlyList<LoadResult> rows, string source)
    {
        Console.WriteLine();
        Console.WriteLine($"Goals ({source}):");
        var router16 = Report.Find(rows, $"{NonStreaming}, router", 16);
        var reserving16 = Report.Find(rows, $"{NonStreaming}, reserving proxy", 16);
        Line("whole-system CPU per router call, 16 clients, non-streaming", router16?.Cost?.TotalCpuMicroseconds, v => $"{v:0} µs", "<= 300 µs", v => v <= 300,
            "router at 16 clients");
        Line("router CPU/call ÷ reserving proxy CPU/call, 16 clients, non-streaming",
            Ratio(router16?.Cost?.TotalCpuMicroseconds, reserving16?.Cost?.TotalCpuMicroseconds), v => $"{v:0.00}x ({router16?.Cost?.TotalCpuMicroseconds:0} / {reserving16?.Cost?.TotalCpuMicroseconds:0} µs)",
            "<= 2x", v => v <= 2, "router and reserving at 16 clients");
        foreach (var kind in new[] { NonStreaming, Streaming })
        {
            var router = Report.Find(rows, $"{kind}, router", 16);
            var reserving = Report.Find(rows, $"{kind}, reserving proxy", 16);
            Line($"router req/s ÷ reserving proxy req/s, 16 clients, {kind}", Ratio(router?.RequestsPerSecond, reserving?.RequestsPerSecond),
                v => $"{v:0%} ({router?.RequestsPerSecond:0} / {reserving?.RequestsPerSecond:0} req/s)", ">= 75 %", v => v >= 0.75, "router and reserving at 16 clients");
            Line($"router p99 ÷ reserving proxy p99, 16 clients, {kind}", Ratio(router?.P99Ms, reserving?.P99Ms),
                v => $"{v:0.00}x ({router?.P99Ms:0.000} / {reserving?.P99Ms:0.000} ms)", "<= 2x", v => v <= 2, "router and reserving at 16 clients");
        }

        foreach (var kind in new[] { NonStreaming, Streaming })
        {
            var direct = Report.Find(rows, $"{kind}, direct", 1);
            var bare = Report.Find(rows, $"{kind}, bare proxy", 1);
            var router = Report.Find(rows, $"{kind}, router", 1);
            // (router − direct) − (bare − direct): the direct call cancels out, but both added figures are printed.
            Line($"router-added p50 − bare-added p50, 1 client, {kind}", direct is null || bare is null || router is null ? null : router.P50Ms - bare.P50Ms,
                v => $"{v:0.000} ms (router adds {router!.P50Ms - direct!.P50Ms:0.000}, bare {bare!.P50Ms - direct.P50Ms:0.000} ms)", "<= 0.3 ms", v => v <= 0.3,
                "direct, bare and router at 1 client");
        }
    }

    private static double? Ratio(double? a, double? b) => a is { } x && b is { } y && y > 0 ? x / y : null;

    private static void Line(string goal, double? value, Func<double, string> figure, string target, Func<double, bool> met, string needs) =>
        Console.WriteLine(value is { } v && !double.IsNaN(v)
            ? $"- {goal}: {figure(v)}, goal {target}: {(met(v) ? "met" : "missed")}"
            : $"- {goal}: not measured (needs {needs}), goal {target}");
}
