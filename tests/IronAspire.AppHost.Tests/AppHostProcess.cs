using System.Collections.Concurrent;
using System.Diagnostics;
using IronAspire.Testing;

namespace IronAspire.AppHost.Tests;

/// <summary>
/// The real AppHost executable, run as a user runs it (with the http settings of its launch profile, on free ports,
/// so the Aspire dashboard runs too), with its console output captured.
/// </summary>
internal sealed class AppHostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private AppHostProcess(Process process, Uri dashboard)
    {
        _process = process;
        DashboardUrl = dashboard;
    }

    public IReadOnlyList<string> Lines => [.. _output];

    public string Output => string.Join('\n', _output);

    public Uri DashboardUrl { get; }

    public int Pid => _process.Id;

    public static AppHostProcess Start(IDictionary<string, string> environment, params string[] args)
    {
        // The AppHost's own build output (its deps.json and DCP paths), built in the configuration this test was.
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var appHost = Path.Combine(RepositoryRoot.Find(), "IronAspire.AppHost", "bin", configuration, "net10.0", "IronAspire.AppHost.dll");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        info.ArgumentList.Add(appHost);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // What Properties/launchSettings.json gives `dotnet run`, on ports of this test's own.
        var dashboard = new Uri($"http://127.0.0.1:{FreePort.Next()}");
        info.Environment["DOTNET_ENVIRONMENT"] = "Development";
        info.Environment["ASPNETCORE_URLS"] = dashboard.ToString().TrimEnd('/');
        info.Environment["ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL"] = $"http://127.0.0.1:{FreePort.Next()}";
        info.Environment["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = $"http://127.0.0.1:{FreePort.Next()}";
        info.Environment["ASPIRE_ALLOW_UNSECURED_TRANSPORT"] = "true";
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info };
        var host = new AppHostProcess(process, dashboard);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { host._output.Enqueue(e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { host._output.Enqueue(e.Data); } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return host;
    }

    public async Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var stopwatch = Stopwatch.StartNew();
        while (!_output.Any(line => line.Contains(text, StringComparison.Ordinal)))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The AppHost exited ({_process.ExitCode}) before printing '{text}':\n{Output}");
            }

            if (stopwatch.Elapsed > timeout)
            {
                throw new TimeoutException($"The AppHost did not print '{text}' within {timeout}:\n{Output}");
            }

            await Task.Delay(100);
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    /// <summary>SIGTERM, as a script or a service manager stops it (a process started with &amp; ignores Ctrl-C).</summary>
    public void Terminate() => Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Terminate();
            if (!_process.WaitForExit(TimeSpan.FromSeconds(30)))
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        await Task.CompletedTask;
        _process.Dispose();
    }
}
