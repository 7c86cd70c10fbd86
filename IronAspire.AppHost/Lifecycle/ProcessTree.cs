using System.Globalization;
using Aspire.Hosting.ApplicationModel;

namespace IronAspire.AppHost.Lifecycle;

/// <summary>
/// The process that does a resource's work, below the one DCP started: DCP runs a project as <c>dotnet run</c>, whose
/// child is the service, and RabbitMQ through its start script, whose child is the Erlang VM. Launchers with a single
/// child are followed down to that child.
/// </summary>
public static class ProcessTree
{
    private static readonly HashSet<string> Launchers = ["dotnet", "sh", "bash", "setpriv"];

    /// <summary>The pid DCP reports for a resource (its <c>executable.pid</c> property), once it has one.</summary>
    public static int? StartedPid(CustomResourceSnapshot snapshot) =>
        snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value?.ToString() is { } text
        && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;

    public static int MainProcess(int pid)
    {
        for (var depth = 0; depth < 4 && Launchers.Contains(Name(pid)) && Children(pid) is [var child]; depth++)
        {
            pid = child;
        }

        return pid;
    }

    /// <summary>Whether the process exists and has not exited (a zombie waiting for its parent has).</summary>
    public static bool IsRunning(int pid)
    {
        try
        {
            return !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z", StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    public static IReadOnlyList<int> Children(int pid)
    {
        var children = new List<int>();
        try
        {
            foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
            {
                var file = Path.Combine(task, "children");
                if (File.Exists(file))
                {
                    children.AddRange(File.ReadAllText(file).Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse));
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Gone meanwhile.
        }

        return children;
    }

    private static string Name(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/comm").Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }
}
