using System.Diagnostics;
using System.Runtime.InteropServices;

namespace IronAspire.Load.Benchmarks;

/// <summary>
/// The processes this benchmark starts besides the application model (the floors, Portkey): each is stopped with
/// SIGTERM when the benchmark ends — normally, on an exception, or on SIGINT/SIGTERM to the benchmark — and killed if
/// it has not exited 5 s later, so no node or proxy process outlives a run.
/// </summary>
public sealed partial class ChildProcesses : IDisposable
{
    private const int SigTerm = 15;
    private readonly List<Process> _processes = [];
    private readonly PosixSignalRegistration[] _signals;

    public ChildProcesses()
    {
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
        // Runs before the runtime's own handling of the signal (which ends the process): stop the children first.
        _signals = [PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => StopAll()), PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => StopAll())];
    }

    public Process Start(ProcessStartInfo start, string name)
    {
        start.UseShellExecute = false;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{name} did not start.");
        lock (_processes)
        {
            _processes.Add(process);
        }

        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                Console.Error.WriteLine($"{name}: {e.Data}");
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Polls <paramref name="probe"/> until it answers (any status), for at most <paramref name="timeout"/>.</summary>
    public static async Task WaitUntilAnswersAsync(Process process, HttpClient http, Uri probe, string name, TimeSpan timeout)
    {
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var response = await http.GetAsync(probe);
                return;
            }
            catch (HttpRequestException) when (stopwatch.Elapsed < timeout && !process.HasExited)
            {
                await Task.Delay(100);
            }
            catch (HttpRequestException ex)
            {
                throw new InvalidOperationException(process.HasExited
                    ? $"{name} exited ({process.ExitCode}) before it answered on {probe}."
                    : $"{name} did not answer on {probe} within {timeout.TotalSeconds:0} s.", ex);
            }
        }
    }

    /// <summary>SIGTERM, then SIGKILL after 5 s if the process is still there.</summary>
    public static void Stop(Process process)
    {
        try
        {
            if (process.HasExited)
            {
                return;
            }

            _ = Kill(process.Id, SigTerm);
            if (!process.WaitForExit(TimeSpan.FromSeconds(5)))
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(TimeSpan.FromSeconds(5));
            }
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }
    }

    public void Dispose()
    {
        StopAll();
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        foreach (var signal in _signals)
        {
            signal.Dispose();
        }
    }

    private void OnProcessExit(object? sender, EventArgs e) => StopAll();

    private void StopAll()
    {
        Process[] processes;
        lock (_processes)
        {
            processes = [.. _processes];
            _processes.Clear();
        }

        foreach (var process in processes)
        {
            Stop(process);
            process.Dispose();
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
