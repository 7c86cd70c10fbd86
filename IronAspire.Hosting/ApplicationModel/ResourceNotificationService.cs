using IronAspire.Hosting.Orchestration;

namespace IronAspire.Hosting.ApplicationModel;

/// <summary>The state names the orchestrator reports (Aspire's KnownResourceStates).</summary>
public static class KnownResourceStates
{
    public const string NotStarted = nameof(ResourceState.NotStarted);
    public const string Waiting = nameof(ResourceState.Waiting);
    public const string Starting = nameof(ResourceState.Starting);
    public const string Running = nameof(ResourceState.Running);
    public const string Exited = nameof(ResourceState.Exited);
    public const string FailedToStart = nameof(ResourceState.FailedToStart);
    public const string Stopping = nameof(ResourceState.Stopping);
    public const string Finished = nameof(ResourceState.Finished);
}

/// <summary>
/// Waits on resources' states, with the shape of Aspire's ResourceNotificationService
/// (<c>app.ResourceNotifications.WaitForResourceHealthyAsync("router")</c>).
/// </summary>
public sealed class ResourceNotificationService
{
    private readonly Func<string, ResourceSnapshot> _snapshot;
    private readonly Func<string, Task> _healthy;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal ResourceNotificationService(Func<string, ResourceSnapshot> snapshot, Func<string, Task> healthy)
    {
        _snapshot = snapshot;
        _healthy = healthy;
    }

    /// <summary>Completes once the resource is healthy (a project: its /health answered 200); fails if it failed to start.</summary>
    public Task WaitForResourceHealthyAsync(string resourceName, CancellationToken cancellationToken = default) =>
        _healthy(resourceName).WaitAsync(cancellationToken);

    /// <summary>Completes once the resource is in <paramref name="targetState"/> (see <see cref="KnownResourceStates"/>).</summary>
    public Task<ResourceSnapshot> WaitForResourceAsync(string resourceName, string targetState = KnownResourceStates.Running, CancellationToken cancellationToken = default) =>
        WaitForResourceAsync(resourceName, snapshot => snapshot.State == targetState, cancellationToken);

    /// <summary>Completes once the resource is in one of <paramref name="targetStates"/>; returns the state reached.</summary>
    public async Task<string> WaitForResourceAsync(string resourceName, IEnumerable<string> targetStates, CancellationToken cancellationToken = default)
    {
        var states = targetStates.ToHashSet(StringComparer.Ordinal);
        return (await WaitForResourceAsync(resourceName, snapshot => states.Contains(snapshot.State), cancellationToken)).State;
    }

    /// <summary>Completes with the first snapshot of the resource that satisfies <paramref name="predicate"/>.</summary>
    public async Task<ResourceSnapshot> WaitForResourceAsync(string resourceName, Func<ResourceSnapshot, bool> predicate, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            // Take the signal before reading the state, so a change in between is not missed.
            var changed = Volatile.Read(ref _changed).Task;
            var snapshot = _snapshot(resourceName);
            if (predicate(snapshot))
            {
                return snapshot;
            }

            await changed.WaitAsync(cancellationToken);
        }
    }

    /// <summary>The resource's current state, pid, url and restart count.</summary>
    public ResourceSnapshot GetSnapshot(string resourceName) => _snapshot(resourceName);

    internal void NotifyChanged() =>
        Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
