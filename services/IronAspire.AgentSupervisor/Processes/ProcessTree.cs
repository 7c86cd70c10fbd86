using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace IronAspire.AgentSupervisor.Processes;

/// <summary>
/// Finds every descendant of an agent, including those that left its process group (<c>setsid</c>): the Supervisor
/// is a child subreaper (<c>prctl(PR_SET_CHILD_SUBREAPER)</c>), so an orphaned descendant is re-parented to it rather
/// than to init and can still be found and reaped; descendants are found by walking parent ids in <c>/proc</c>, and by
/// the run marker every agent process inherits in its environment (docs/agent-supervisor.md).
/// </summary>
public static partial class ProcessTree
{
    private const int PrSetChildSubreaper = 36;
    private const int WNoHang = 1;

    [LibraryImport("libc", EntryPoint = "prctl", SetLastError = true)]
    private static partial int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [LibraryImport("libc", EntryPoint = "waitpid", SetLastError = true)]
    private static partial int WaitPid(int pid, out int status, int options);

    /// <summary>Makes this process the reaper of its orphaned descendants. False where the kernel refuses.</summary>
    public static bool BecomeSubreaper() => OperatingSystem.IsLinux() && Prctl(PrSetChildSubreaper, 1, 0, 0, 0) == 0;

    /// <summary>One process's state, parent and process group (fields 3-5 of /proc/{pid}/stat).</summary>
    public readonly record struct ProcessStat(int Pid, char State, int Parent, int Group);

    /// <summary>Every process in /proc.</summary>
    public static List<ProcessStat> All()
    {
        var all = new List<ProcessStat>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && Stat(pid) is { } stat)
            {
                all.Add(stat);
            }
        }

        return all;
    }

    public static ProcessStat? Stat(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name (field 2) may contain spaces and parentheses: fields are counted after its last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ', 4);
            return new ProcessStat(pid, fields[0][0], int.Parse(fields[1], CultureInfo.InvariantCulture), int.Parse(fields[2], CultureInfo.InvariantCulture));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            return null; // gone in the meantime
        }
    }

    /// <summary>Every live process's parent.</summary>
    public static Dictionary<int, int> Parents() => All().ToDictionary(p => p.Pid, p => p.Parent);

    /// <summary>The transitive children of <paramref name="roots"/> (not the roots themselves).</summary>
    public static HashSet<int> DescendantsOf(IEnumerable<int> roots, Dictionary<int, int> parents)
    {
        var children = parents.ToLookup(p => p.Value, p => p.Key);
        var found = new HashSet<int>();
        var pending = new Stack<int>(roots);
        while (pending.TryPop(out var pid))
        {
            foreach (var child in children[pid])
            {
                if (found.Add(child))
                {
                    pending.Push(child);
                }
            }
        }

        return found;
    }

    /// <summary>Processes whose environment holds <paramref name="marker"/> (readable for the same user, or root).</summary>
    public static List<int> WithMarker(string marker)
    {
        var needle = Encoding.UTF8.GetBytes(marker);
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }

            try
            {
                if (File.ReadAllBytes(Path.Combine(dir, "environ")).AsSpan().IndexOf(needle) >= 0)
                {
                    found.Add(pid);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
            }
        }

        return found;
    }

    /// <summary>
    /// Collects the exit status of <paramref name="pid"/> when it is a zombie child of this process — an orphan of an
    /// agent the subreaper inherited, which .NET does not track and so never reaps; no-op otherwise. Callers pass only
    /// processes of agent runs other than their main process (which .NET reaps itself).
    /// </summary>
    public static void ReapOrphan(int pid)
    {
        if (Stat(pid) is { State: 'Z' } stat && stat.Parent == Environment.ProcessId)
        {
            _ = WaitPid(pid, out _, WNoHang);
        }
    }

    /// <summary>Reaps the zombies of process group <paramref name="group"/> this process inherited, but its leader.</summary>
    public static void ReapOrphans(int group)
    {
        foreach (var process in All())
        {
            if (process.Group == group && process.Pid != group && process.State == 'Z' && process.Parent == Environment.ProcessId)
            {
                _ = WaitPid(process.Pid, out _, WNoHang);
            }
        }
    }
}
