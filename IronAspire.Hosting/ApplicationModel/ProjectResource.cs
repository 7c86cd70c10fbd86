namespace IronAspire.Hosting.ApplicationModel;

/// <summary>A .NET project of the solution, run from its build output with Aspire's environment injected.</summary>
public sealed class ProjectResource(string name, IProjectMetadata metadata) : IResourceWithHealth
{
    public string Name { get; } = name;
    public IProjectMetadata Metadata { get; } = metadata;

    /// <summary>Fixed port of the http endpoint; 0 means a free port is picked at start.</summary>
    public int? FixedPort { get; internal set; }

    /// <summary>The port actually used once started.</summary>
    public int Port { get; internal set; }

    public string? Url => Port == 0 ? null : $"http://127.0.0.1:{Port}";

    public string HealthPath { get; internal set; } = "/health";

    public List<IResourceWithConnectionString> ConnectionReferences { get; } = [];
    public List<ProjectResource> ServiceReferences { get; } = [];
    public List<IResourceWithHealth> WaitsFor { get; } = [];

    /// <summary>Extra environment; values are resolved when the project starts (so they can name other resources' URLs).</summary>
    public List<(string Name, Func<string?> Value)> Environment { get; } = [];

    /// <summary>Environment variables whose value is a parameter (written as a parameter reference in the manifest).</summary>
    public Dictionary<string, ParameterResource> ParameterEnvironment { get; } = [];

    /// <summary>Restart after an unexpected exit (with backoff), up to this many times.</summary>
    public int MaxRestarts { get; internal set; }
}
