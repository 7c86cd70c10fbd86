using Aspire.Hosting.ApplicationModel;
using IronAspire.AppHost.Servers;

namespace IronAspire.AppHost.Kubernetes;

/// <summary>
/// Reads the application model in publish mode: every project and container resource, its endpoint, replicas, volumes,
/// and its environment as the model's callbacks give it (the same callbacks that give the local run its environment).
/// </summary>
internal static class AppModelReader
{
    /// <summary>The port a .NET service listens on in its container (the SDK's container images' default, HTTP_PORTS).</summary>
    public const int ServicePort = 8080;

    public static async Task<AppWorkloads> ReadAsync(DistributedApplicationModel model, DistributedApplicationExecutionContext executionContext, CancellationToken cancellationToken)
    {
        var translator = new EnvironmentTranslator(Port);
        var services = new List<ServiceWorkload>();
        var servers = new List<ServerWorkload>();
        foreach (var resource in model.Resources)
        {
            switch (resource)
            {
                case ProjectResource project:
                    var environment = await EnvironmentAsync(project, translator, executionContext, cancellationToken);
                    var replicas = project.Annotations.OfType<ReplicaAnnotation>().LastOrDefault()?.Replicas ?? 1;
                    var external = project.Annotations.OfType<EndpointAnnotation>().Any(e => e.IsExternal);
                    services.Add(new ServiceWorkload(project.Name, Port(project), environment, replicas, external) { Uses = Uses(project, environment) });
                    break;
                case ContainerResource container when container.Annotations.OfType<ContainerImageAnnotation>().LastOrDefault() is { } image:
                    var serverEnvironment = await EnvironmentAsync(container, translator, executionContext, cancellationToken);
                    var dataPaths = container.Annotations.OfType<ContainerMountAnnotation>()
                        .Where(m => m.Type == ContainerMountType.Volume).Select(m => m.Target).ToList();
                    var reference = (image.Registry is { Length: > 0 } registry ? registry + "/" : "") + image.Image + ":" + (image.Tag ?? "latest");
                    var databases = model.Resources.Select(r => r switch
                    {
                        // The model's own databases (Servers/LocalServerExtensions), or Aspire's.
                        LocalPostgresDatabaseResource d when d.Server == container => d.DatabaseName,
                        PostgresDatabaseResource d when d.Parent == container => d.DatabaseName,
                        _ => null,
                    }).OfType<string>().ToList();
                    servers.Add(new ServerWorkload(container.Name, Port(container), serverEnvironment, reference, dataPaths, databases, ServerProfile.For(container))
                    {
                        Uses = Uses(container, serverEnvironment),
                    });
                    break;
            }
        }

        return new AppWorkloads(services, servers);
    }

    private static async Task<IReadOnlyList<KeyValuePair<string, EnvValue>>> EnvironmentAsync(
        IResource resource, EnvironmentTranslator translator, DistributedApplicationExecutionContext executionContext, CancellationToken cancellationToken)
    {
        var values = new Dictionary<string, object>();
        var context = new EnvironmentCallbackContext(executionContext, resource, values, cancellationToken);
        foreach (var callback in resource.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            await callback.Callback(context);
        }

        return [.. values.Select(v => KeyValuePair.Create(v.Key, translator.Translate(v.Value)))];
    }

    /// <summary>The compute resources an environment refers to; a database stands for its server.</summary>
    private static HashSet<string> Uses(IResource self, IEnumerable<KeyValuePair<string, EnvValue>> environment)
    {
        var uses = new HashSet<string>(StringComparer.Ordinal);
        foreach (var reference in environment.SelectMany(e => e.Value.References))
        {
            var target = reference is IResourceWithParent child ? child.Parent : reference;
            if (target is ProjectResource or ContainerResource && target != self)
            {
                uses.Add(target.Name);
            }
        }

        return uses;
    }

    private static int Port(IResource resource) =>
        Port(resource.Annotations.OfType<EndpointAnnotation>().FirstOrDefault()
             ?? throw new NotSupportedException($"Resource '{resource.Name}' has no endpoint to expose in Kubernetes."));

    private static int Port(EndpointReference endpoint) => Port(endpoint.EndpointAnnotation);

    /// <summary>A container's own port (6379 for Redis); a .NET service's <see cref="ServicePort"/>. The Service exposes the same.</summary>
    private static int Port(EndpointAnnotation endpoint) => endpoint.TargetPort ?? ServicePort;
}
