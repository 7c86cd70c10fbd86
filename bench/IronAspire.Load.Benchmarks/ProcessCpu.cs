using System.Globalization;
using System.Runtime.InteropServices;
using IronAspire.AppHost.Lifecycle;
using IronAspire.Testing;

namespace IronAspire.Load.Benchmarks;

/// <summary>
/// CPU time of every process of the run, grouped by what it is: each Aspire resource (the process DCP started and all
/// its descendants — the postgres backends, RabbitMQ's Erlang VM, a service below its <c>dotnet run</c>), the processes
/// this benchmark started (floors, Portkey), this process (load generator, and the AppHost the testing builder runs
/// in it) and DCP. Read from <c>/proc/&lt;pid&gt;/stat</c>: utime + stime, plus cutime + cstime so that a child that
/// ended within the window still counts; in clock ticks (sysconf(_SC_CLK_TCK)).
/// </summary>
public sealed partial class ProcessCpu : IAsyncDisposable
{
    public const string LoadGenerator = "load gen+AppHost";
    public const string Dcp = "DCP";
    public const string Other = "other";

    /// <summary>Resource name → column, in the order the tables print them.</summary>
    private static readonly (string Resource, string Column)[] Resources =
    [
        ("router", "Router"), ("messaging", "RabbitMQ"), ("analytics", "Analytics"), ("cache", "Redis"), ("agent-supervisor", "Supervisor"),
        ("mock-provider", "MockProvider"), ("postgres", "PostgreSQL"), ("budget", "Budget"), ("safety", "Safety"),
    ];

    /// <summary>The column of the benchmark's own children (floors and Portkey): only the target's is busy in a row.</summary>
    public const string Proxy = "proxy/portkey";

    public static readonly string[] Columns = [.. Resources.Select(r => r.Column).Take(6), LoadGenerator, .. Resources.Select(r => r.Column).Skip(6), Proxy, Dcp, Other];

    private static readonly double TicksPerSecond = Sysconf(ScClkTck) is > 0 and var ticks ? ticks : 100;

    private readonly HashSet<int> _children = [];
    private readonly Dictionary<string, (int Pid, string Column)> _started = [];
    private readonly IronAspireApp _app;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _watching;
    private int? _dcp;

    public ProcessCpu(IronAspireApp app)
    {
        _app = app;
        _watching = WatchAsync(_stop.Token);
    }

    /// <summary>A process this benchmark started (a floor, Portkey), counted with its descendants under <see cref="Proxy"/>.</summary>
    public void AddChild(int pid) => _children.Add(pid);

    /// <summary>The Router replicas' service processes (below DCP's <c>dotnet run</c>).</summary>
    public IReadOnlyList<int> RouterProcesses() =>
        [.. StartedPids().Where(p => p.Value == "Router").Select(p => ProcessTree.MainProcess(p.Key))];

    /// <summary>CPU seconds per column so far.</summary>
    public Dictionary<string, double> Sample()
    {
        var roots = StartedPids();
        foreach (var child in _children)
        {
            roots[child] = Proxy;
        }

        // DCP detaches from this process: its API server watches us (--monitor <our pid>); its controllers, the helper
        // per resource and the proxies in front of the endpoints are below it. The resources themselves are under it
        // too, but each is a root of its own, found first on the way up.
        if (_dcp is not { } dcp || !Directory.Exists($"/proc/{dcp}"))
        {
            _dcp = dcp = FindDcp();
        }

        if (dcp > 0)
        {
            roots[dcp] = Dcp;
        }

        var processes = new Dictionary<int, (int Parent, long Ticks)>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && Stat(pid) is { } stat)
            {
                processes[pid] = stat;
            }
        }

        var self = Environment.ProcessId;
        var seconds = Columns.ToDictionary(c => c, _ => 0.0);
        foreach (var (pid, stat) in processes)
        {
            if (Column(pid, processes, roots, self) is { } column)
            {
                seconds[column] += stat.Ticks / TicksPerSecond;
            }
        }

        return seconds;
    }

    /// <summary>The column of a process: its nearest ancestor that is a resource or a child of ours; null when it is not part of the run.</summary>
    private static string? Column(int pid, Dictionary<int, (int Parent, long Ticks)> processes, Dictionary<int, string> roots, int self)
    {
        for (var (current, depth) = (pid, 0); depth < 64; depth++)
        {
            if (roots.TryGetValue(current, out var column))
            {
                return column;
            }

            if (current == self)
            {
                return pid == self ? LoadGenerator : Other;
            }

            if (!processes.TryGetValue(current, out var stat))
            {
                return null;
            }

            current = stat.Parent;
        }

        return null;
    }

    /// <summary>
    /// Waits until the run's processes besides this one use less than <paramref name="cores"/> (at most
    /// <paramref name="limit"/>), so a row's window does not pay for the backlog the previous row left (events still
    /// being consumed, commits, the ledger). Returns the cores they used over the last half second.
    /// </summary>
    public async Task<double> WaitUntilQuietAsync(double cores, TimeSpan limit)
    {
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        var before = Sample();
        while (true)
        {
            await Task.Delay(500);
            var after = Sample();
            var used = Columns.Where(c => c != LoadGenerator).Sum(c => after[c] - before[c]) / 0.5;
            if (used < cores || stopwatch.Elapsed > limit)
            {
                return used;
            }

            before = after;
        }
    }

    /// <summary>The pid DCP started for every replica of every resource (a resource restarted meanwhile has a new one).</summary>
    private Dictionary<int, string> StartedPids()
    {
        lock (_started)
        {
            return _started.Values.ToDictionary(s => s.Pid, s => s.Column);
        }
    }

    /// <summary>Follows every resource's state (the current ones first): a replica's pid as DCP reports it.</summary>
    private async Task WatchAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var update in _app.App.ResourceNotifications.WatchAsync(ct))
            {
                if (Array.Find(Resources, r => r.Resource == update.Resource.Name).Column is { } column && ProcessTree.StartedPid(update.Snapshot) is { } pid)
                {
                    lock (_started)
                    {
                        _started[update.ResourceId] = (pid, column);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The benchmark ended.
        }
    }

    /// <summary>Waits until every resource has reported its pid.</summary>
    public async Task WaitForResourcesAsync()
    {
        for (var stopwatch = System.Diagnostics.Stopwatch.StartNew(); stopwatch.Elapsed < TimeSpan.FromSeconds(30); await Task.Delay(100))
        {
            var columns = StartedPids().Values.ToHashSet();
            if (Resources.All(r => columns.Contains(r.Column)))
            {
                return;
            }
        }

        throw new InvalidOperationException("Not every resource reported its pid within 30 s: " + string.Join(", ", StartedPids().Values));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _watching;
        _stop.Dispose();
    }

    /// <summary>The DCP API server that monitors this process (0 when there is none).</summary>
    private static int FindDcp()
    {
        var monitor = "--monitor\0" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\0";
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                    && File.ReadAllText(Path.Combine(dir, "comm")).Trim() == "dcp"
                    && File.ReadAllText(Path.Combine(dir, "cmdline")).Contains(monitor, StringComparison.Ordinal))
                {
                    return pid;
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Gone meanwhile.
            }
        }

        return 0;
    }

    private static (int Parent, long Ticks)? Stat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null; // Gone meanwhile.
        }

        // "pid (comm) state ppid ... utime stime cutime cstime ...": comm may hold spaces and parentheses.
        var close = text.LastIndexOf(')');
        var fields = text[(close + 2)..].Split(' ');
        long Field(int index) => long.Parse(fields[index], CultureInfo.InvariantCulture);
        return ((int)Field(1), Field(11) + Field(12) + Field(13) + Field(14));
    }

    private const int ScClkTck = 2;

    [LibraryImport("libc", EntryPoint = "sysconf")]
    private static partial long Sysconf(int name);
}
