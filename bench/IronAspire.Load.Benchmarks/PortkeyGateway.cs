using System.Diagnostics;
using System.Globalization;

namespace IronAspire.Load.Benchmarks;

/// <summary>
/// The Portkey AI gateway (npm <c>@portkey-ai/gateway</c>, pinned with its lock file in <c>bench/portkey</c>), a peer
/// target that governs nothing: restored with <c>npm ci</c> when its node_modules is missing, run as one node process
/// (the package's own <c>build/start-server.js</c>, headless, production), pointed at the MockProvider per request.
/// </summary>
public static class PortkeyGateway
{
    /// <summary>The headers that send a call through Portkey's OpenAI provider to the MockProvider's OpenAI API.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Headers(Uri mockProvider) =>
    [
        new("x-portkey-provider", "openai"),
        new("x-portkey-custom-host", new Uri(mockProvider, "/v1").ToString()),
    ];

    public static async Task<Process> StartAsync(ChildProcesses children, string repositoryRoot, int port, HttpClient http)
    {
        var folder = Path.Combine(repositoryRoot, "bench", "portkey");
        var server = Path.Combine(folder, "node_modules", "@portkey-ai", "gateway", "build", "start-server.js");
        if (!File.Exists(server))
        {
            await RestoreAsync(folder);
        }

        var start = new ProcessStartInfo("node") { WorkingDirectory = folder };
        start.ArgumentList.Add(server);
        start.ArgumentList.Add("--port=" + port.ToString(CultureInfo.InvariantCulture));
        // No browser console, no per-request log stream to it.
        start.ArgumentList.Add("--headless");
        start.Environment["NODE_ENV"] = "production";
        var process = children.Start(start, "portkey");
        await ChildProcesses.WaitUntilAnswersAsync(process, http, new Uri($"http://127.0.0.1:{port}/"), "portkey", TimeSpan.FromSeconds(30));
        return process;
    }

    private static async Task RestoreAsync(string folder)
    {
        Console.WriteLine($"Restoring Portkey (npm ci --prefix {folder})...");
        var start = new ProcessStartInfo("npm") { UseShellExecute = false };
        foreach (var argument in new[] { "ci", "--prefix", folder, "--no-audit", "--no-fund" })
        {
            start.ArgumentList.Add(argument);
        }

        using var npm = Start(start);
        await npm.WaitForExitAsync();
        if (npm.ExitCode != 0)
        {
            throw new InvalidOperationException($"npm ci --prefix {folder} failed ({npm.ExitCode}).");
        }
    }

    private static Process Start(ProcessStartInfo start)
    {
        try
        {
            return Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"{start.FileName} is not installed: scripts/install-prerequisites.sh --with-test-tools installs nodejs and npm.", ex);
        }
    }
}
