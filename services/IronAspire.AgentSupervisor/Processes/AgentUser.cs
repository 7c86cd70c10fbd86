using System.Runtime.InteropServices;

namespace IronAspire.AgentSupervisor.Processes;

/// <summary>
/// The Unix account agents run as (Supervisor:AgentUser, docs/security.md). When the Supervisor runs as root, agents
/// run as an unprivileged user (<c>ironaspire-agent</c> unless configured; <c>scripts/install-prerequisites.sh</c>
/// creates it), each in a private working directory, so an agent can read neither the Supervisor's environment
/// (<c>/proc/{pid}/environ</c> is readable only by the same user and root) nor its files, nor another agent's.
/// A Supervisor that is not root cannot switch users: its agents run as its own user.
/// </summary>
public sealed partial record AgentUser(string Name, uint Uid, uint Gid)
{
    public const string DefaultName = "ironaspire-agent";

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEuid();

    [LibraryImport("libc", EntryPoint = "chown", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Chown(string path, uint owner, uint group);

    public static bool SupervisorIsRoot => OperatingSystem.IsLinux() && GetEuid() == 0;

    /// <summary>
    /// The account to run agents as: null when agents run as the Supervisor's own user (it is not root, or the operator
    /// set Supervisor:AgentUser to an empty string). Throws when the configured account does not exist.
    /// </summary>
    public static AgentUser? Resolve(string? configured)
    {
        if (!SupervisorIsRoot || configured is { Length: 0 })
        {
            return null;
        }

        var name = configured ?? DefaultName;
        return Find(name) ?? throw new InvalidOperationException(
            $"Agents run as the user '{name}' (Supervisor:AgentUser), which does not exist; create it with scripts/install-prerequisites.sh (useradd --system {name}).");
    }

    /// <summary>Looks the account up in /etc/passwd (local accounts only).</summary>
    public static AgentUser? Find(string name)
    {
        foreach (var line in File.ReadLines("/etc/passwd"))
        {
            var fields = line.Split(':');
            if (fields.Length >= 4 && fields[0] == name && uint.TryParse(fields[2], out var uid) && uint.TryParse(fields[3], out var gid))
            {
                return uid == 0 ? throw new InvalidOperationException($"Supervisor:AgentUser '{name}' is root; agents must not run as root.") : new AgentUser(name, uid, gid);
            }
        }

        return null;
    }

    /// <summary>A directory only this account (and root) can enter: created if missing, owned by the account, mode 0700.</summary>
    public string PrivateDirectory(string path)
    {
        Directory.CreateDirectory(path);
        if (!OperatingSystem.IsLinux())
        {
            return path; // never reached: an agent user exists only for a root Supervisor on Linux
        }

        if (Chown(path, Uid, Gid) != 0)
        {
            throw new IOException($"Could not give '{path}' to user '{Name}' (errno {Marshal.GetLastPInvokeError()}).");
        }

        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}
