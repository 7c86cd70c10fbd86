using System.Diagnostics;

namespace IronAspire.AgentSupervisor.Processes;

/// <summary>
/// One run of an agent: the child is started through <c>setsid</c> so it leads its own session and process group, and
/// stopping it signals the whole group (no orphaned grandchildren). Output lines go to <see cref="AgentLogs"/>.
/// </summary>
public sealed class AgentProcess
{
    private readonly Process _process;
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private AgentProcess(Process process)
    {
        _process = process;
    }

    public int Pid => _process.Id;

    public long? StartTicks { get; private set; }

    /// <summary>Completes with the exit code (128 + signal when killed by a signal) when the agent's main process ends.</summary>
    public Task<int> Exited => _exited.Task;

    public static AgentProcess Start(string executable, IEnumerable<string> args, string? workingDirectory,
        IReadOnlyDictionary<string, string> environment, AgentLogs logs, TimeProvider time)
    {
        var info = new ProcessStartInfo("setsid")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = workingDirectory ?? "",
        };
        info.ArgumentList.Add(executable);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // The agent gets exactly the environment it is given, not the Supervisor's (which holds the admin key and connection strings).
        info.Environment.Clear();
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };

        var run = new AgentProcess(process);
        // Exited is raised when the main process ends, without waiting for grandchildren that may still hold the pipes.
        process.Exited += (_, _) => run._exited.TrySetResult(SafeExitCode(process));
        process.Start();
        run.StartTicks = ProcessGroup.StartTicks(process.Id);
        process.StandardInput.Close();
        // Read by AgentLogs itself, not BeginOutputReadLine: that one holds a whole line in memory, however long.
        _ = Task.Run(() => logs.PumpAsync(process.StandardOutput, "stdout", time));
        _ = Task.Run(() => logs.PumpAsync(process.StandardError, "stderr", time));
        return run;
    }

    private static int SafeExitCode(Process process)
    {
        try
        {
            return process.ExitCode;
        }
        catch (InvalidOperationException)
        {
            return -1;
        }
    }

    /// <summary>SIGTERM to the group, SIGKILL after <paramref name="grace"/>; completes when the group is gone and the process reaped.</summary>
    public async Task StopAsync(TimeSpan grace, CancellationToken cancellationToken = default)
    {
        await ProcessGroup.TerminateAsync(Pid, grace, cancellationToken);
        await ((Task)Exited).WaitAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }
}
