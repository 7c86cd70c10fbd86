namespace IronAspire.AgentSupervisor.Processes;

/// <summary>Finds the executable an agent's command names, as a shell would: a path is checked as is, a bare name on PATH.</summary>
public static class CommandResolver
{
    /// <returns>The full path of an existing executable file, or null.</returns>
    /// <param name="user">The user agents run as, if not the Supervisor's: a bare name resolves to the first file on
    /// PATH that user can reach (a shim under root's home, say, is skipped).</param>
    public static string? Resolve(string command, string? workingDirectory, AgentUser? user = null)
    {
        if (string.IsNullOrWhiteSpace(command))
        {
            return null;
        }

        if (command.Contains('/'))
        {
            var path = Path.IsPathRooted(command) ? command : Path.GetFullPath(command, workingDirectory ?? Environment.CurrentDirectory);
            return IsExecutable(path) && (user is null || IsReachableByOthers(path)) ? path : null;
        }

        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(folder, command);
            if (IsExecutable(candidate) && (user is null || IsReachableByOthers(candidate)))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>The file and every folder above it (its link target's too) let other users through (o+x).</summary>
    private static bool IsReachableByOthers(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return false;
        }

        var target = new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path;
        foreach (var file in new[] { path, target })
        {
            for (var current = file; !string.IsNullOrEmpty(current); current = Path.GetDirectoryName(current))
            {
                if ((File.GetUnixFileMode(current) & UnixFileMode.OtherExecute) == 0)
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static bool IsExecutable(string path)
    {
        if (!File.Exists(path) || OperatingSystem.IsWindows())
        {
            // Agents are launched with setsid and signalled as process groups: the Supervisor is for Unix.
            return false;
        }

        var mode = File.GetUnixFileMode(path);
        return (mode & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;
    }
}
