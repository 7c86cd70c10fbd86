using System.Diagnostics;

namespace IronAspire.Load.Benchmarks;

/// <summary>Measures <see cref="RowCost"/> over a row's measured window: CPU always, the Router's allocations on the Router's rows.</summary>
public sealed class RowCostMeter(ProcessCpu cpu, bool routerAllocations = false) : IRowMeter
{
    public RowCostMeter WithRouterAllocations(bool measure) => new(cpu, measure);

    /// <summary>
    /// Before the row's warm-up: waits until the previous row's backlog is done (the app's processes below 0.15 cores,
    /// at most 15 s), then opens the Router's counter session (its set-up stays out of the CPU window).
    /// </summary>
    public async Task<IRowWindow> PrepareAsync()
    {
        if (await cpu.WaitUntilQuietAsync(0.15, TimeSpan.FromSeconds(15)) is var busy and >= 0.15)
        {
            Console.WriteLine($"(the app still used {busy:0.00} cores after 15 s without load; measuring anyway)");
        }

        return new RowCostWindow(cpu, routerAllocations ? RouterAllocations.Start(cpu.RouterProcesses()) : null);
    }
}

public sealed class RowCostWindow(ProcessCpu cpu, RouterAllocations? allocations) : IRowWindow
{
    private Dictionary<string, double>? _before;
    private Stopwatch? _stopwatch;

    public void Begin()
    {
        _before = cpu.Sample();
        _stopwatch = Stopwatch.StartNew();
    }

    public async Task<RowCost> EndAsync(int calls)
    {
        var after = cpu.Sample();
        var seconds = _stopwatch!.Elapsed.TotalSeconds;
        var bytesPerSecond = allocations is null ? (double?)null : await allocations.StopAsync();
        var perCall = after.ToDictionary(c => c.Key, c => calls == 0 ? double.NaN : (c.Value - _before![c.Key]) * 1e6 / calls);
        return new RowCost(perCall, bytesPerSecond is { } rate && calls > 0 ? rate / (calls / seconds) : null);
    }

    public async ValueTask DisposeAsync()
    {
        if (allocations is not null)
        {
            await allocations.DisposeAsync();
        }
    }
}
