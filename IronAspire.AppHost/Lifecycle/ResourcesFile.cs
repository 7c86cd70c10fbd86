using System.Collections.Concurrent;
using System.Text.Json;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Hosting;

namespace IronAspire.AppHost.Lifecycle;

/// <summary>
/// Keeps <c>resources.json</c> in the state folder: name, type, url, pid and state of every resource (one entry per
/// replica), rewritten on every change, for scripts and people who want the running app without the dashboard.
/// </summary>
internal sealed class ResourcesFile(ResourceNotificationService notifications, StateFolder state) : BackgroundService
{
    private readonly ConcurrentDictionary<string, ResourceEntry> _entries = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var path = Path.Combine(state.Path, "resources.json");
        var temporary = path + ".tmp";
        try
        {
            await foreach (var update in notifications.WatchAsync(stoppingToken))
            {
                var snapshot = update.Snapshot;
                if (snapshot.IsHidden)
                {
                    continue;
                }

                _entries[update.ResourceId] = new ResourceEntry(
                    update.Resource.Name,
                    update.ResourceId,
                    snapshot.ResourceType,
                    snapshot.Urls.FirstOrDefault(u => !u.IsInternal)?.Url,
                    ProcessTree.StartedPid(snapshot) is { } pid ? ProcessTree.MainProcess(pid) : _entries.GetValueOrDefault(update.ResourceId)?.Pid,
                    snapshot.State?.Text ?? "Unknown");
                await WriteAsync(path, temporary, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            // The final word: everything stopped with the app.
            foreach (var (id, entry) in _entries)
            {
                _entries[id] = entry with { State = entry.State is "Running" or "Starting" or "Waiting" ? "Stopped" : entry.State };
            }

            await WriteAsync(path, temporary, CancellationToken.None);
        }
    }

    private async Task WriteAsync(string path, string temporary, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(state.Path);
        await File.WriteAllTextAsync(temporary, JsonSerializer.Serialize(_entries.Values.OrderBy(e => e.Id, StringComparer.Ordinal), JsonOptions), cancellationToken);
        File.Move(temporary, path, overwrite: true);
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private sealed record ResourceEntry(string Name, string Id, string Type, string? Url, int? Pid, string State);
}
