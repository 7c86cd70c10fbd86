using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IronAspire.AppHost.Servers;

/// <summary>
/// RabbitMQ's Erlang VM starts an <c>epmd</c> daemon that outlives it (and the AppHost). The broker is given an epmd
/// port of its own (<c>ERL_EPMD_PORT</c>), so that daemon serves this AppHost's node alone and can be stopped once the
/// AppHost has stopped the broker: after the host has stopped (DCP's resources are cleaned up first, see
/// <c>DcpPublisher:WaitForResourceCleanup</c> in appsettings.json), it waits for the broker's process to be gone
/// (RabbitMQ would start epmd again) and runs <c>epmd -port N -kill</c>. A restarted broker reuses the running daemon.
/// </summary>
internal sealed partial class PrivateEpmd(string epmd, int port, string brokerPidFile, IHostApplicationLifetime lifetime, ILogger<PrivateEpmd> logger)
    : IHostedService
{
    private static readonly TimeSpan BrokerExitWait = TimeSpan.FromSeconds(15);

    public int Port => port;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStopped.Register(Stop);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Stop()
    {
        try
        {
            if (File.Exists(brokerPidFile) && int.TryParse(File.ReadAllText(brokerPidFile).Trim(), CultureInfo.InvariantCulture, out var broker))
            {
                var waited = Stopwatch.StartNew();
                while (Lifecycle.ProcessTree.IsRunning(broker) && waited.Elapsed < BrokerExitWait)
                {
                    Thread.Sleep(100);
                }
            }

            using var kill = Process.Start(new ProcessStartInfo(epmd, ["-port", port.ToString(CultureInfo.InvariantCulture), "-kill"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            if (!kill.WaitForExit(TimeSpan.FromSeconds(5)))
            {
                kill.Kill();
            }

            LogStopped(logger, port, kill.StandardOutput.ReadToEnd().Trim());
        }
        catch (Exception ex)
        {
            // Shutting down: a leftover daemon is not worth failing the exit for.
            LogNotStopped(logger, port, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "epmd on port {Port}: {Answer}")]
    private static partial void LogStopped(ILogger logger, int port, string answer);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The broker's epmd on port {Port} could not be stopped: {Reason}")]
    private static partial void LogNotStopped(ILogger logger, int port, string reason);
}
