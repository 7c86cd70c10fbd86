using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;

namespace IronAspire.Load.Benchmarks;

/// <summary>
/// Bytes the Router's GC allocates per second while a row runs, read from outside the process: an EventPipe session
/// (the runtime's diagnostics socket, as dotnet-counters uses it) on the System.Runtime counters, every second, summing
/// <c>alloc-rate</c> (the increase of GC.GetTotalAllocatedBytes over each interval). The first interval of a session
/// is left out: it may start before the window or carry what accrued since an earlier session.
/// </summary>
public sealed class RouterAllocations : IAsyncDisposable
{
    private readonly List<(EventPipeSession Session, EventPipeEventSource Source, Task Processing)> _sessions = [];
    private readonly Lock _lock = new();
    private readonly Dictionary<int, (int Intervals, double Bytes, double Seconds)> _byProcess = [];

    private RouterAllocations()
    {
    }

    public static RouterAllocations Start(IReadOnlyList<int> routerPids)
    {
        var allocations = new RouterAllocations();
        foreach (var pid in routerPids)
        {
            var providers = new[]
            {
                new EventPipeProvider("System.Runtime", EventLevel.Informational, (long)EventKeywords.None,
                    new Dictionary<string, string> { ["EventCounterIntervalSec"] = "1" }),
            };
            var session = new DiagnosticsClient(pid).StartEventPipeSession(providers, requestRundown: false);
            var source = new EventPipeEventSource(session.EventStream);
            source.Dynamic.All += e => allocations.OnEvent(pid, e);
            allocations._sessions.Add((session, source, Task.Run(source.Process)));
        }

        return allocations;
    }

    /// <summary>Stops the sessions; bytes allocated per second in all Router replicas together (NaN when no interval completed).</summary>
    public async Task<double> StopAsync()
    {
        foreach (var (session, _, processing) in _sessions)
        {
            await session.StopAsync(CancellationToken.None);
            await processing;
        }

        lock (_lock)
        {
            var measured = _byProcess.Values.Where(p => p.Seconds > 0).ToList();
            return measured.Count == _sessions.Count && measured.Count > 0 ? measured.Sum(p => p.Bytes / p.Seconds) : double.NaN;
        }
    }

    private void OnEvent(int pid, TraceEvent e)
    {
        if (e.EventName != "EventCounters" || e.PayloadValue(0) is not IDictionary<string, object> outer
            || outer["Payload"] is not IDictionary<string, object> payload || payload["Name"] as string != "alloc-rate")
        {
            return;
        }

        lock (_lock)
        {
            var (intervals, bytes, seconds) = _byProcess.GetValueOrDefault(pid);
            _byProcess[pid] = intervals == 0
                ? (1, 0, 0)
                : (intervals + 1,
                    bytes + Convert.ToDouble(payload["Increment"], System.Globalization.CultureInfo.InvariantCulture),
                    seconds + Convert.ToDouble(payload["IntervalSec"], System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (session, source, processing) in _sessions)
        {
            try
            {
                await session.StopAsync(CancellationToken.None);
            }
            catch (Exception ex) when (ex is ServerNotAvailableException or TimeoutException or IOException)
            {
                // Already stopped, or the Router is gone.
            }

            await processing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            source.Dispose();
            session.Dispose();
        }
    }
}
