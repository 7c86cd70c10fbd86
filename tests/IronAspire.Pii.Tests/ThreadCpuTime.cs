namespace IronAspire.Pii.Tests;

/// <summary>
/// CPU time of the calling thread (Linux schedstat), so bounds on work done hold on a machine shared by many
/// builds, where wall-clock time mostly measures waiting for a core. Falls back to wall-clock time elsewhere.
/// </summary>
public static class ThreadCpuTime
{
    public static TimeSpan Measure(Action action)
    {
        var before = Now();
        var wall = System.Diagnostics.Stopwatch.StartNew();
        action();
        var after = Now();
        return before is { } b && after is { } a ? a - b : wall.Elapsed;
    }

    private static TimeSpan? Now()
    {
        try
        {
            var fields = File.ReadAllText("/proc/thread-self/schedstat").Split(' ');
            return TimeSpan.FromTicks(long.Parse(fields[0]) / 100);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
