namespace IronAspire.AgentSupervisor.Processes;

/// <summary>Finds the executable an agent's command names, as a shell would: a path is checked as is, a bare name on PATH.</summary>
public static class CommandResolver
{
    /// <returns>The full path of an existing executable file, or null.</returns>
    public static string? Resolve(string command, string? workingDirectory)
    {
        if (string.IsNullOrWhiteSpace(command))
        {
            return null;
        }

        if (command.Contains('/'))
        {
            var path = Path.IsPathRooted(command) ? command : Path.GetFullPath(command, workingDirectory ?? Environment.CurrentDirectory);
            return IsExecutable(path) ? path : null;
        }

        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(folder, command);
            if (IsExecutable(candidate))
            {
                return candidate;
            }
        }

        return null;
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
