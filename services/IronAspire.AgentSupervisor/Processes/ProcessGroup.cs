using System.Globalization;
using System.Runtime.InteropServices;

namespace IronAspire.AgentSupervisor.Processes;

/// <summary>
/// Signals to a whole process group. Agents are launched through <c>setsid</c>, so the agent's pid is also its process
/// group (and session) id, and every grandchild it spawns stays in that group unless it leaves on purpose.
/// </summary>
public static partial class ProcessGroup
{
    public const int SigKill = 9;
    public const int SigTerm = 15;
    private const int Esrch = 3;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    /// <summary>Sends <paramref name="signal"/> to every process in the group. False when the group is already gone.</summary>
    public static bool Signal(int pgid, int signal) => pgid > 1 && Kill(-pgid, signal) == 0;

    /// <summary>Sends <paramref name="signal"/> to one process. False when it is gone.</summary>
    public static bool SignalProcess(int pid, int signal) => pid > 1 && Kill(pid, signal) == 0;

    /// <summary>True while any process (a zombie included) is still in the group.</summary>
    public static bool IsAlive(int pgid)
    {
        if (pgid <= 1)
        {
            return false;
        }

        return Kill(-pgid, 0) == 0 || Marshal.GetLastPInvokeError() != Esrch;
    }

    /// <summary>True when <paramref name="pid"/> exists (not a zombie) and is the process that started at <paramref name="startTicks"/>.</summary>
    public static bool IsSameProcess(int pid, long? startTicks) =>
        StartTicks(pid) is { } ticks && (startTicks is null || ticks == startTicks);

    /// <summary>Start time of a process in clock ticks after boot (field 22 of /proc/pid/stat); null if it is gone or a zombie.</summary>
    public static long? StartTicks(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name (field 2) may contain spaces and parentheses: fields are counted after its last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return fields[0] == "Z" ? null : long.Parse(fields[19], CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>SIGTERM to the group, then SIGKILL once <paramref name="grace"/> has passed; returns when the group is gone.</summary>
    public static async Task TerminateAsync(int pgid, TimeSpan grace, CancellationToken cancellationToken = default)
    {
        if (!Signal(pgid, SigTerm))
        {
            return;
        }

        var deadline = DateTime.UtcNow + grace;
        while (DateTime.UtcNow < deadline && IsAlive(pgid))
        {
            await Task.Delay(50, cancellationToken);
            ProcessTree.ReapOrphans(pgid);
        }

        await KillAsync(pgid, cancellationToken);
    }

    /// <summary>SIGKILL to the group until it is empty (bounded: a zombie waiting to be reaped is not worth waiting for).</summary>
    public static async Task KillAsync(int pgid, CancellationToken cancellationToken = default)
    {
        // The leader may be gone while children that ignored SIGTERM remain: the group still has members.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (IsAlive(pgid) && DateTime.UtcNow < deadline)
        {
            Signal(pgid, SigKill);
            await Task.Delay(20, cancellationToken);
            // Members whose parent died were re-parented to the Supervisor (a subreaper): their zombies are its to reap.
            ProcessTree.ReapOrphans(pgid);
        }
    }
}
