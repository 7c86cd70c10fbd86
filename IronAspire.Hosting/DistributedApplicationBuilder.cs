using System.Text.RegularExpressions;
using IronAspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;

namespace IronAspire.Hosting;

/// <summary>Declares the application model (Aspire's IDistributedApplicationBuilder).</summary>
public interface IDistributedApplicationBuilder
{
    IConfigurationManager Configuration { get; }
    IReadOnlyList<IResource> Resources { get; }
    DistributedApplicationOptions Options { get; }
    IResourceBuilder<T> AddResource<T>(T resource) where T : IResource;
    DistributedApplication Build();
}

public sealed partial class DistributedApplicationBuilder : IDistributedApplicationBuilder
{
    private static readonly Dictionary<string, string> SwitchMappings = new(StringComparer.OrdinalIgnoreCase)
    {
        ["--state"] = "AppHost:State",
        ["--publisher"] = "Publishing:Publisher",
        ["--output-path"] = "Publishing:OutputPath",
        ["--router-port"] = "AppHost:RouterPort",
        ["--supervisor-port"] = "AppHost:SupervisorPort",
    };

    private readonly List<IResource> _resources = [];

    internal DistributedApplicationBuilder(string[] args, DistributedApplicationOptions? options)
    {
        Configuration = new ConfigurationManager();
        Configuration.AddEnvironmentVariables();
        Configuration.AddCommandLine(args, SwitchMappings);
        Options = options ?? DistributedApplicationOptions.FromConfiguration(Configuration);
    }

    public IConfigurationManager Configuration { get; }
    public IReadOnlyList<IResource> Resources => _resources;
    public DistributedApplicationOptions Options { get; }

    public IResourceBuilder<T> AddResource<T>(T resource) where T : IResource
    {
        if (!ResourceName().IsMatch(resource.Name) || resource.Name.Contains("--", StringComparison.Ordinal) || resource.Name.EndsWith('-'))
        {
            throw new ArgumentException($"'{resource.Name}' is not a valid resource name: use 1-64 ASCII letters, digits and single hyphens, starting with a letter.");
        }

        if (_resources.Any(r => string.Equals(r.Name, resource.Name, StringComparison.OrdinalIgnoreCase)))
        {
            throw new ArgumentException($"A resource named '{resource.Name}' already exists.");
        }

        _resources.Add(resource);
        return new ResourceBuilder<T>(resource, this);
    }

    public DistributedApplication Build() => new(this);

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9-]{0,63}$")]
    private static partial Regex ResourceName();
}
