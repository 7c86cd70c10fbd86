using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Hosting;

namespace IronAspire.AppHost.Lifecycle;

/// <summary>
/// Every resource's console output, as the dashboard shows it, also goes to <c>logs/&lt;resource&gt;.log</c> in the
/// state folder: there to read after the app has stopped, and in CI, where no dashboard runs.
/// </summary>
internal sealed class ResourceLogFiles(DistributedApplicationModel model, ResourceLoggerService logs, StateFolder state) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var folder = state.Folder("logs");
        return Task.WhenAll(model.Resources
            .Where(r => r is not ParameterResource)
            .Select(resource => CopyAsync(resource, Path.Combine(folder, resource.Name + ".log"), stoppingToken)));
    }

    private async Task CopyAsync(IResource resource, string path, CancellationToken stoppingToken)
    {
        try
        {
            await using var file = new StreamWriter(path, append: true) { AutoFlush = true };
            await foreach (var batch in logs.WatchAsync(resource).WithCancellation(stoppingToken))
            {
                foreach (var line in batch)
                {
                    await file.WriteLineAsync(line.Content);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
