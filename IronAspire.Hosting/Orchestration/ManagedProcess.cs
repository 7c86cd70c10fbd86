using System.Diagnostics;
using System.Runtime.InteropServices;

namespace IronAspire.Hosting.Orchestration;

/// <summary>
/// A child process in its own session and process group, so stopping it also stops its children, and with a
/// watchdog on a pipe from the orchestrator: if the orchestrator dies (even by SIGKILL) the pipe closes and the
/// watchdog stops the whole group — no orphaned servers or services.
/// </summary>
public sealed partial class ManagedProcess
{
    private const int SIGTERM = 15;
    private const int SIGKILL = 9;

    // The watchdog reads the orchestrator's pipe (fd 3) in the background, with its own output closed so it never
    // holds the child's output pipes open; "exec" keeps the child's pid equal to the group id, so the pid we report
    // is the real server or service process.
    private const string WatchdogScript =
        "exec 3<&0; ( trap '' TERM; while read -r _ <&3; do :; done; kill -TERM -- -$$ 2>/dev/null; sleep 5; kill -KILL -- -$$ 2>/dev/null ) >/dev/null 2>&1 & exec \"$@\" </dev/null 3<&-";

    private readonly Process _process;
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ManagedProcess(Process process)
    {
        _process = process;
    }

    public int Pid => _process.Id;

    /// <summary>Completes with the exit code when the process ends, however it ends.</summary>
    public Task<int> Exited => _exited.Task;

    public bool HasExited => _exited.Task.IsCompleted;

    public static ManagedProcess Start(
        string name,
        string fileName,
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string?> environment,
        ResourceLog log,
        string? workingDirectory = null,
        string? runAsUser = null)
    {
        var info = new ProcessStartInfo("setsid")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Directory.GetCurrentDirectory(),
        };
        info.ArgumentList.Add("bash");
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(WatchdogScript);
        info.ArgumentList.Add("ironaspire-watchdog");
        if (runAsUser is not null)
        {
            // setpriv execs in place (unlike su/runuser, which fork), so the pid stays the server's.
            info.ArgumentList.Add("setpriv");
            info.ArgumentList.Add($"--reuid={runAsUser}");
            info.ArgumentList.Add($"--regid={runAsUser}");
            info.ArgumentList.Add("--init-groups");
            info.ArgumentList.Add("--");
        }

        info.ArgumentList.Add(fileName);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var managed = new ManagedProcess(process);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                log.Write(name, e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                log.Write(name, e.Data);
            }
        };
        process.Exited += (_, _) =>
        {
            // Let the last lines of output drain before reporting the exit.
            process.WaitForExit();
            managed._exited.TrySetResult(process.ExitCode);
            try
            {
                process.StandardInput.Close();
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException)
            {
            }
        };

        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return managed;
    }

    /// <summary>SIGTERM to the whole group, then SIGKILL when it has not exited within the grace period.</summary>
    public async Task StopAsync(TimeSpan gracePeriod)
    {
        if (HasExited)
        {
            return;
        }

        Signal(SIGTERM);
        if (await Task.WhenAny(Exited, Task.Delay(gracePeriod)) != Exited)
        {
            Signal(SIGKILL);
            await Task.WhenAny(Exited, Task.Delay(TimeSpan.FromSeconds(5)));
        }

        // The group may still hold children that ignored SIGTERM.
        Signal(SIGKILL);
    }

    /// <summary>Kills the process (and its group) at once, as a crash would.</summary>
    public void Kill() => Signal(SIGKILL);

    private void Signal(int signal)
    {
        _ = kill(-_process.Id, signal);
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int sig);
}
