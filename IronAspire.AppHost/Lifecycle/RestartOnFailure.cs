using System.Collections.Concurrent;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IronAspire.AppHost.Lifecycle;

/// <summary>Marks a service that is started again when it exits with a failure while the app runs.</summary>
public sealed class RestartOnFailureAnnotation : IResourceAnnotation;

public static class RestartOnFailureExtensions
{
    public static IResourceBuilder<T> WithRestartOnFailure<T>(this IResourceBuilder<T> builder) where T : IResource =>
        builder.WithAnnotation(new RestartOnFailureAnnotation());
}

/// <summary>
/// Reports every resource that exits with a failure while the app runs (a crash is never silent) and starts the ones
/// marked <see cref="RestartOnFailureAnnotation"/> again through Aspire's own start command, with a back-off that
/// doubles per failure (1 s to 30 s). A clean exit (a stop from the dashboard, code 0) is left alone.
/// </summary>
internal sealed class ResourceRestarter(
    ResourceNotificationService notifications,
    ResourceCommandService commands,
    IHostApplicationLifetime lifetime,
    ILogger<ResourceRestarter> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<string, int> _pids = new();
    private readonly ConcurrentDictionary<(string, int), bool> _reported = new();
    private readonly ConcurrentDictionary<string, int> _failures = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var update in notifications.WatchAsync(stoppingToken))
        {
            var snapshot = update.Snapshot;
            if (ProcessTree.StartedPid(snapshot) is { } current)
            {
                _pids[update.ResourceId] = ProcessTree.MainProcess(current);
            }

            var state = snapshot.State?.Text;
            var pid = _pids.GetValueOrDefault(update.ResourceId);
            if (state != KnownResourceStates.Exited && state != KnownResourceStates.Finished
                || snapshot.ExitCode is null or 0
                || lifetime.ApplicationStopping.IsCancellationRequested
                || !_reported.TryAdd((update.ResourceId, pid), true))
            {
                continue;
            }

            logger.LogError("ERROR: resource '{Resource}' (pid {Pid}) exited unexpectedly with code {ExitCode}", update.Resource.Name, pid, snapshot.ExitCode);
            if (update.Resource.Annotations.OfType<RestartOnFailureAnnotation>().Any())
            {
                var failures = _failures.AddOrUpdate(update.ResourceId, 1, (_, n) => n + 1);
                var delay = TimeSpan.FromSeconds(Math.Min(30, Math.Pow(2, failures - 1)));
                logger.LogWarning("Restarting '{Resource}' in {Delay} s (failure {Failures})", update.Resource.Name, delay.TotalSeconds, failures);
                _ = RestartAsync(update.ResourceId, delay, stoppingToken);
            }
        }
    }

    private async Task RestartAsync(string resourceId, TimeSpan delay, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(delay, stoppingToken);
            var result = await commands.ExecuteCommandAsync(resourceId, KnownResourceCommands.StartCommand, stoppingToken);
            if (!result.Success)
            {
                logger.LogError("Could not restart {Resource}: {Error}", resourceId, result.Message);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
