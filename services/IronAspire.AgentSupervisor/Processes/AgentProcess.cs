using System.Diagnostics;

namespace IronAspire.AgentSupervisor.Processes;

/// <summary>
/// One run of an agent: the child is started through <c>setsid</c> so it leads its own session and process group, and
/// stopping it signals the whole group and every descendant that left it (<see cref="ProcessTree"/>): descendants are
/// sampled while the run lives, and found at the end by parent ids and by the run marker in their environment.
/// Output lines go to <see cref="AgentLogs"/>.
/// </summary>
public sealed class AgentProcess
{
    /// <summary>Environment variable every process of a run inherits; its value is unique to the run.</summary>
    public const string RunMarkerVariable = "IRONASPIRE_AGENT_RUN";

    private static readonly TimeSpan SampleInterval = TimeSpan.FromSeconds(1);

    private readonly Process _process;
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Dictionary<int, long?> _descendants = [];
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _sampling = new();
    private readonly string _marker = RunMarkerVariable + "=" + Guid.NewGuid().ToString("N");

    private AgentProcess(Process process)
    {
        _process = process;
    }

    public int Pid => _process.Id;

    public long? StartTicks { get; private set; }

    /// <summary>Completes with the exit code (128 + signal when killed by a signal) when the agent's main process ends.</summary>
    public Task<int> Exited => _exited.Task;

    public static AgentProcess Start(string executable, IEnumerable<string> args, string? workingDirectory,
        IReadOnlyDictionary<string, string> environment, AgentLogs logs, TimeProvider time, AgentUser? user = null)
    {
        var info = new ProcessStartInfo("setsid")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = workingDirectory ?? "",
        };
        if (user is not null)
        {
            // setpriv execs in place (the pid stays the agent's); the agent keeps no capability of root.
            info.ArgumentList.Add("setpriv");
            info.ArgumentList.Add($"--reuid={user.Uid}");
            info.ArgumentList.Add($"--regid={user.Gid}");
            info.ArgumentList.Add("--init-groups");
            info.ArgumentList.Add("--inh-caps=-all");
            info.ArgumentList.Add("--");
        }

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
        info.Environment[RunMarkerVariable] = run._marker[(RunMarkerVariable.Length + 1)..];
        // Exited is raised when the main process ends, without waiting for grandchildren that may still hold the pipes.
        process.Exited += (_, _) => run._exited.TrySetResult(SafeExitCode(process));
        process.Start();
        run.StartTicks = ProcessGroup.StartTicks(process.Id);
        process.StandardInput.Close();
        // Read by AgentLogs itself, not BeginOutputReadLine: that one holds a whole line in memory, however long.
        _ = Task.Run(() => logs.PumpAsync(process.StandardOutput, "stdout", time));
        _ = Task.Run(() => logs.PumpAsync(process.StandardError, "stderr", time));
        _ = Task.Run(run.SampleAsync);
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

    /// <summary>SIGTERM to the group and its escaped descendants, SIGKILL after <paramref name="grace"/>; completes when
    /// the group is gone and the process reaped.</summary>
    public async Task StopAsync(TimeSpan grace, CancellationToken cancellationToken = default)
    {
        SignalEscaped(ProcessGroup.SigTerm);
        await ProcessGroup.TerminateAsync(Pid, grace, cancellationToken);
        await KillTreeAsync(cancellationToken);
        await ((Task)Exited).WaitAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>SIGKILL to the group and to every descendant that left it (after the main process exited, or a stop).</summary>
    public async Task KillTreeAsync(CancellationToken cancellationToken = default)
    {
        await ProcessGroup.KillAsync(Pid, cancellationToken);
        for (var round = 0; round < 3; round++)
        {
            if (SignalEscaped(ProcessGroup.SigKill) == 0)
            {
                break;
            }

            await Task.Delay(50, cancellationToken);
        }

        await _sampling.CancelAsync();
    }

    /// <summary>Signals the run's processes outside its group; returns how many were signalled.</summary>
    private int SignalEscaped(int signal)
    {
        var targets = Escaped();
        foreach (var pid in targets)
        {
            if (ProcessGroup.SignalProcess(pid, signal) && signal == ProcessGroup.SigKill)
            {
                // Re-parented to the Supervisor (the subreaper) when its parent is gone: reap it, or it stays a zombie.
                Task.Delay(100).ContinueWith(_ => ProcessTree.ReapOrphan(pid), TaskScheduler.Default);
            }
        }

        return targets.Count;
    }

    /// <summary>The run's live processes other than its main one: sampled descendants still the same processes, the
    /// current descendants of every one of them, and whatever carries the run's marker.</summary>
    private List<int> Escaped()
    {
        var parents = ProcessTree.Parents();
        HashSet<int> candidates;
        lock (_gate)
        {
            candidates = _descendants.Where(d => ProcessGroup.IsSameProcess(d.Key, d.Value)).Select(d => d.Key).ToHashSet();
        }

        candidates.UnionWith(ProcessTree.DescendantsOf(candidates.Append(Pid), parents));
        candidates.UnionWith(ProcessTree.WithMarker(_marker));
        candidates.Remove(Pid);
        candidates.RemoveWhere(pid => !ProcessGroup.IsSameProcess(pid, null));
        return candidates.ToList();
    }

    /// <summary>Records the run's descendants while it lives, so one that leaves the group and loses its parent is still known.</summary>
    private async Task SampleAsync()
    {
        try
        {
            while (!_sampling.IsCancellationRequested)
            {
                var parents = ProcessTree.Parents();
                int[] known;
                lock (_gate)
                {
                    known = [.. _descendants.Keys, Pid];
                }

                foreach (var pid in known.Where(p => p != Pid))
                {
                    // A descendant that ended on its own after losing its parent is the subreaper's zombie.
                    ProcessTree.ReapOrphan(pid);
                }

                foreach (var pid in ProcessTree.DescendantsOf(known, parents))
                {
                    var ticks = ProcessGroup.StartTicks(pid);
                    lock (_gate)
                    {
                        _descendants.TryAdd(pid, ticks);
                    }
                }

                await Task.Delay(SampleInterval, _sampling.Token);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception)
        {
            // /proc unreadable: the group signal and the marker still find the run's processes.
        }
    }
}
