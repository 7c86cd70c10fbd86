using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using IronAspire.Hosting.ApplicationModel;
using IronAspire.Hosting.Orchestration;
using IronAspire.Hosting.Publishing;
using IronAspire.Hosting.Servers;
using Microsoft.Extensions.Logging;

namespace IronAspire.Hosting;

/// <summary>
/// Runs the application model locally, as Aspire's orchestrator does: backing servers as local processes on free
/// loopback ports, then every project from its build output with Aspire's environment variables, each started once
/// what it waits for is healthy. Reports crashes, restarts where the model says so, and stops everything on Ctrl-C.
/// </summary>
public sealed class DistributedApplication : IAsyncDisposable
{
    private readonly DistributedApplicationBuilder _builder;
    private readonly DistributedApplicationOptions _options;
    private readonly ConcurrentDictionary<string, RunningResource> _running = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _healthy = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _stateFileLock = new();
    private readonly List<Action<DistributedApplication>> _onStarted = [];
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private bool _started;
    private bool _disposed;

    internal DistributedApplication(DistributedApplicationBuilder builder)
    {
        _builder = builder;
        _options = builder.Options;
        Log = new ResourceLog(Path.Combine(_options.StatePath, "logs"), _options.LogToConsole);
        _loggerFactory = LoggerFactory.Create(logging => logging.AddProvider(new ResourceLogLoggerProvider(Log)));
        _logger = _loggerFactory.CreateLogger<DistributedApplication>();
        _time = _options.TimeProvider;
        ResourceNotifications = new ResourceNotificationService(name => Snapshot(Running(name)), name => Healthy(name).Task);
        foreach (var resource in builder.Resources)
        {
            _healthy[resource.Name] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _running[resource.Name] = new RunningResource(resource);
        }
    }

    public static IDistributedApplicationBuilder CreateBuilder(string[] args) => new DistributedApplicationBuilder(args, null);

    public static IDistributedApplicationBuilder CreateBuilder(string[] args, DistributedApplicationOptions options) => new DistributedApplicationBuilder(args, options);

    public ResourceLog Log { get; }

    /// <summary>Waits on resources' states (Aspire's <c>app.ResourceNotifications</c>).</summary>
    public ResourceNotificationService ResourceNotifications { get; }
    public IReadOnlyList<IResource> Resources => _builder.Resources;
    public DistributedApplicationOptions Options => _options;

    /// <summary>Runs until Ctrl-C or SIGTERM; with <c>--publisher manifest</c> writes the manifest and returns.</summary>
    public void Run() => RunAsync().GetAwaiter().GetResult();

    public async Task RunAsync()
    {
        var configuration = _builder.Configuration;
        if (string.Equals(configuration["Publishing:Publisher"], "manifest", StringComparison.OrdinalIgnoreCase))
        {
            var output = Path.GetFullPath(configuration["Publishing:OutputPath"] ?? "aspire-manifest.json");
            ManifestPublisher.Write(Resources, output);
            Console.WriteLine($"Wrote the Aspire manifest to {output}");
            return;
        }

        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnSignal(PosixSignalContext context)
        {
            // Also abandons a start-up still in progress.
            context.Cancel = true;
            stop.TrySetResult();
            _stopping.Cancel();
        }

        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        try
        {
            await StartAsync(_stopping.Token);
            PrintTable();
            foreach (var callback in _onStarted)
            {
                callback(this);
            }

            _logger.LogInformation("IronAspire is running. Press Ctrl-C to stop.");
            await stop.Task;
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is MissingServerBinaryException or InvalidOperationException or TimeoutException)
        {
            _logger.LogError("Start-up failed: {Reason}", ex.Message);
            Environment.ExitCode = 1;
        }
        finally
        {
            _logger.LogInformation("Stopping...");
            await StopAsync();
            _logger.LogInformation("Stopped.");
        }
    }

    /// <summary>Runs once every resource is up (the AppHost prints how to connect).</summary>
    public DistributedApplication OnStarted(Action<DistributedApplication> callback)
    {
        _onStarted.Add(callback);
        return this;
    }

    public T GetResource<T>(string name) where T : IResource => (T)GetResource(name);

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_started)
        {
            throw new InvalidOperationException("The application has already been started.");
        }

        _started = true;
        Directory.CreateDirectory(_options.StatePath);
        var secrets = new Secrets(_options.StatePath);
        var tasks = new List<Task>();
        foreach (var resource in Resources)
        {
            tasks.Add(resource switch
            {
                ServerResource server => StartServerAsync(server, secrets, cancellationToken),
                PostgresDatabaseResource database => StartDatabaseAsync(database, cancellationToken),
                ProjectResource project => StartProjectAsync(project, cancellationToken),
                _ => MarkHealthyWithAsync(resource, null),
            });
        }

        var all = Task.WhenAll(tasks);
        try
        {
            await all;
        }
        catch
        {
            // Report every failure, not only the first.
            foreach (var failure in all.Exception?.InnerExceptions ?? [])
            {
                _logger.LogError("Failed: {Reason}", failure.Message);
            }

            throw;
        }
    }

    public async Task StopAsync()
    {
        if (!_stopping.IsCancellationRequested)
        {
            await _stopping.CancelAsync();
        }

        // Services first (they flush to the servers), then the servers.
        await Task.WhenAll(_running.Values.Where(r => r.Resource is ProjectResource).Select(r => StopResourceAsync(r)));
        await Task.WhenAll(_running.Values.Where(r => r.Resource is ServerResource).Select(r => StopResourceAsync(r)));
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await StopAsync();
        _loggerFactory.Dispose();
        Log.Dispose();
    }

    public IResource GetResource(string name) =>
        Resources.FirstOrDefault(r => r.Name == name) ?? throw new ArgumentException($"No resource named '{name}'.", nameof(name));

    /// <summary>The resource's connection string (null until it runs, or if it has none).</summary>
    public string? GetConnectionString(string name) => (GetResource(name) as IResourceWithConnectionString)?.ConnectionString;

    /// <summary>Aspire's <c>GetConnectionStringAsync</c>: waits until the resource is healthy, then returns its connection string.</summary>
    public async Task<string?> GetConnectionStringAsync(string name, CancellationToken cancellationToken = default)
    {
        _ = GetResource(name);
        await ResourceNotifications.WaitForResourceHealthyAsync(name, cancellationToken);
        return GetConnectionString(name);
    }

    /// <summary>The URL of a running project's endpoint; projects have one endpoint, named "http".</summary>
    public Uri GetEndpoint(string name, string? endpointName = null)
    {
        if (endpointName is not null && endpointName != "http")
        {
            throw new ArgumentException($"'{name}' has no endpoint named '{endpointName}' (projects have one, 'http').", nameof(endpointName));
        }

        return GetResource(name) is ProjectResource { Url: { } url }
            ? new Uri(url)
            : throw new InvalidOperationException($"'{name}' has no running http endpoint (is the application started?).");
    }

    /// <summary>An HttpClient whose BaseAddress is the project's endpoint (Aspire's <c>app.CreateHttpClient("router")</c>).</summary>
    public HttpClient CreateHttpClient(string name, string? endpointName = null) => new() { BaseAddress = GetEndpoint(name, endpointName) };

    public ResourceSnapshot GetSnapshot(string name) => Snapshot(Running(name));

    public Task WaitForResourceHealthyAsync(string name, CancellationToken cancellationToken = default) =>
        ResourceNotifications.WaitForResourceHealthyAsync(name, cancellationToken);

    /// <summary>The process of a running resource (tests use it to crash one on purpose).</summary>
    public ManagedProcess? GetProcess(string name) => Running(name).Process;

    private RunningResource Running(string name) =>
        _running.TryGetValue(name, out var running) ? running : throw new ArgumentException($"No resource named '{name}'.", nameof(name));

    private TaskCompletionSource Healthy(string name) =>
        _healthy.TryGetValue(name, out var healthy) ? healthy : throw new ArgumentException($"No resource named '{name}'.", nameof(name));

    private async Task StartServerAsync(ServerResource server, Secrets secrets, CancellationToken cancellationToken)
    {
        var running = _running[server.Name];
        if (server.ExternalConnectionString is not null)
        {
            SetState(running, ResourceState.Running);
            _logger.LogInformation("{Resource}: using the configured connection string (no local server)", server.Name);
            _healthy[server.Name].TrySetResult();
            return;
        }

        server.Password = secrets.GetOrCreate($"{server.Name}-password");
        var dataPath = Path.Combine(_options.StatePath, server.Name);
        LocalServer local = server switch
        {
            RedisResource redis => new RedisServer(redis, dataPath, Log, _options.EphemeralServers, _options.ServerBinPath),
            PostgresServerResource postgres => new PostgresServer(postgres, dataPath, Log, _options.EphemeralServers, _options.ServerBinPath),
            RabbitMQServerResource rabbit => new RabbitMQServer(rabbit, dataPath, Log, _options.EphemeralServers, _options.ServerBinPath),
            _ => throw new NotSupportedException($"No local runner for {server.GetType().Name}."),
        };

        SetState(running, ResourceState.Starting);
        try
        {
            await local.StartAsync(0, cancellationToken);
        }
        catch (Exception ex)
        {
            SetState(running, ResourceState.FailedToStart);
            _healthy[server.Name].TrySetException(ex);
            throw;
        }

        running.Process = local.Process;
        running.Stop = local.StopAsync;
        SetState(running, ResourceState.Running);
        _healthy[server.Name].TrySetResult();
        _ = WatchAsync(running, restart: null);
    }

    /// <summary>A database is ready once its server is and the database exists (created when missing).</summary>
    private async Task StartDatabaseAsync(PostgresDatabaseResource database, CancellationToken cancellationToken)
    {
        var running = _running[database.Name];
        try
        {
            if (database.ExternalConnectionString is null)
            {
                await _healthy[database.Parent.Name].Task.WaitAsync(cancellationToken);
                await PostgresDatabases.EnsureCreatedAsync(database.Parent.ConnectionString!, database.DatabaseName, cancellationToken);
            }

            SetState(running, ResourceState.Running);
            _healthy[database.Name].TrySetResult();
        }
        catch (Exception ex)
        {
            SetState(running, ResourceState.FailedToStart);
            _healthy[database.Name].TrySetException(ex);
            throw new InvalidOperationException($"Database '{database.Name}' could not be created: {ex.Message}", ex);
        }
    }

    private async Task MarkHealthyWithAsync(IResource resource, IResource? parent)
    {
        var running = _running[resource.Name];
        try
        {
            if (parent is not null)
            {
                await _healthy[parent.Name].Task;
            }

            SetState(running, ResourceState.Running);
            _healthy[resource.Name].TrySetResult();
        }
        catch (Exception ex)
        {
            SetState(running, ResourceState.FailedToStart);
            _healthy[resource.Name].TrySetException(ex);
        }
    }

    private async Task StartProjectAsync(ProjectResource project, CancellationToken cancellationToken)
    {
        var running = _running[project.Name];
        SetState(running, ResourceState.Waiting);
        try
        {
            foreach (var dependency in project.WaitsFor)
            {
                await _healthy[dependency.Name].Task.WaitAsync(cancellationToken);
            }

            // Connection strings and service URLs of referenced resources must exist before the env is built.
            foreach (var reference in project.ConnectionReferences)
            {
                await _healthy[reference.Name].Task.WaitAsync(cancellationToken);
            }

            project.Port = !_options.RandomizePorts && project.FixedPort is { } fixedPort ? fixedPort : FreePort.Next();
            await LaunchProjectAsync(running, project, cancellationToken);
            _healthy[project.Name].TrySetResult();
        }
        catch (Exception ex)
        {
            SetState(running, ResourceState.FailedToStart);
            _healthy[project.Name].TrySetException(ex);
            throw new InvalidOperationException($"{project.Name} failed to start: {ex.Message}", ex);
        }
    }

    private async Task LaunchProjectAsync(RunningResource running, ProjectResource project, CancellationToken cancellationToken)
    {
        var target = project.Metadata.TargetPath;
        if (!File.Exists(target))
        {
            throw new InvalidOperationException($"The build output {target} does not exist; build the solution first (dotnet build).");
        }

        // Service URLs are only known once those services have a port; wait for them to be assigned.
        foreach (var service in project.ServiceReferences)
        {
            while (service.Port == 0)
            {
                await Task.Delay(20, cancellationToken);
            }
        }

        var environment = ProjectEnvironment.Build(project, _builder.Configuration);
        SetState(running, ResourceState.Starting);
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        running.Process = ManagedProcess.Start(project.Name, dotnet, [target], environment, Log, Path.GetDirectoryName(target));
        running.Stop = () => running.Process.StopAsync(_options.StopGracePeriod);
        WriteResourcesFile();

        await WaitHealthyAsync(running, project, cancellationToken);
        SetState(running, ResourceState.Running);
        _ = WatchAsync(running, restart: project.MaxRestarts > 0 ? () => RestartProjectAsync(running, project) : null);
    }

    private async Task WaitHealthyAsync(RunningResource running, ProjectResource project, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = _time.GetUtcNow() + _options.HealthTimeout;
        while (true)
        {
            if (running.Process!.HasExited)
            {
                throw new InvalidOperationException($"exited with code {running.Process.Exited.Result} before it was healthy (see {project.Name}.log)");
            }

            try
            {
                using var response = await http.GetAsync(project.Url + project.HealthPath, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
            }

            if (_time.GetUtcNow() > deadline)
            {
                throw new TimeoutException($"{project.Name} was not healthy at {project.Url}{project.HealthPath} within {_options.HealthTimeout.TotalSeconds:0} s.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(150), _time, cancellationToken);
        }
    }

    /// <summary>Reports a resource that ends while the application runs, and restarts it where the model says so.</summary>
    private async Task WatchAsync(RunningResource running, Func<Task>? restart)
    {
        var process = running.Process!;
        var code = await process.Exited;
        if (_stopping.IsCancellationRequested || running.Process != process)
        {
            return;
        }

        running.ExitCode = code;
        // Reported before the state changes, so whoever waits for Exited finds the report already written.
        _logger.LogError("resource '{Resource}' (pid {Pid}) exited unexpectedly with code {ExitCode}.", running.Resource.Name, process.Pid, code);
        SetState(running, ResourceState.Exited);
        if (restart is null || running.Restarts >= ((running.Resource as ProjectResource)?.MaxRestarts ?? 0))
        {
            _logger.LogWarning("'{Resource}' is not restarted; the rest of the application keeps running without it.", running.Resource.Name);
            return;
        }

        var delay = TimeSpan.FromSeconds(Math.Min(30, Math.Pow(2, running.Restarts)));
        running.Restarts++;
        _logger.LogWarning("Restarting '{Resource}' in {DelaySeconds} s (restart {Restart}).", running.Resource.Name, delay.TotalSeconds, running.Restarts);
        try
        {
            await Task.Delay(delay, _time, _stopping.Token);
            await restart();
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex)
        {
            _logger.LogError("Restarting '{Resource}' failed: {Reason}", running.Resource.Name, ex.Message);
        }
    }

    private Task RestartProjectAsync(RunningResource running, ProjectResource project) => LaunchProjectAsync(running, project, _stopping.Token);

    private async Task StopResourceAsync(RunningResource running)
    {
        if (running.Stop is null || running.Process is null || running.Process.HasExited)
        {
            return;
        }

        SetState(running, ResourceState.Stopping);
        await running.Stop();
        SetState(running, ResourceState.Finished);
    }

    private void SetState(RunningResource running, ResourceState state)
    {
        running.State = state;
        WriteResourcesFile();
        ResourceNotifications.NotifyChanged();
    }

    private ResourceSnapshot Snapshot(RunningResource running) => new(
        running.Resource.Name,
        running.Resource switch
        {
            ProjectResource => "Project",
            ServerResource s => s.GetType().Name.Replace("Resource", "", StringComparison.Ordinal),
            PostgresDatabaseResource => "PostgresDatabase",
            ParameterResource => "Parameter",
            _ => running.Resource.GetType().Name,
        },
        running.Resource switch
        {
            ProjectResource p => p.Url,
            ServerResource { ExternalConnectionString: null, Port: > 0 } s => $"tcp://{s.Host}:{s.Port}",
            ServerResource => "(external)",
            _ => null,
        },
        running.Process?.Pid,
        running.State.ToString(),
        running.ExitCode,
        running.Restarts);

    /// <summary>resources.json in the state folder: name, type, url, pid and state of every resource.</summary>
    private void WriteResourcesFile()
    {
        lock (_stateFileLock)
        {
            var rows = Resources.Where(r => r is not ParameterResource).Select(r => Snapshot(_running[r.Name])).ToArray();
            var file = Path.Combine(_options.StatePath, "resources.json");
            Directory.CreateDirectory(_options.StatePath);
            File.WriteAllText(file + ".tmp", JsonSerializer.Serialize(rows, JsonOptions));
            File.Move(file + ".tmp", file, overwrite: true);
        }
    }

    private void PrintTable()
    {
        var rows = Resources.Where(r => r is not ParameterResource).Select(r => Snapshot(_running[r.Name])).ToArray();
        Log.Info("");
        Log.Info($"{"RESOURCE",-18} {"TYPE",-18} {"STATE",-10} {"PID",-8} URL");
        foreach (var row in rows)
        {
            Log.Info($"{row.Name,-18} {row.Type,-18} {row.State,-10} {row.Pid?.ToString(CultureInfo.InvariantCulture) ?? "-",-8} {row.Url ?? "-"}");
        }

        Log.Info($"State folder: {_options.StatePath} (resources.json, logs/)");
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private sealed class RunningResource(IResource resource)
    {
        public IResource Resource { get; } = resource;
        public ResourceState State { get; set; }
        public ManagedProcess? Process { get; set; }
        public Func<Task>? Stop { get; set; }
        public int? ExitCode { get; set; }
        public int Restarts { get; set; }
    }
}
