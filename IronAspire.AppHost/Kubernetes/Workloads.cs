using Aspire.Hosting.ApplicationModel;

namespace IronAspire.AppHost.Kubernetes;

/// <summary>One container of the app as the model describes it in publish mode, with its environment already in-cluster.</summary>
internal abstract record Workload(string Name, int Port, IReadOnlyList<KeyValuePair<string, EnvValue>> Environment)
{
    /// <summary>The compute resources (services and servers) this one connects to, from its environment's references.</summary>
    public required IReadOnlySet<string> Uses { get; init; }

    /// <summary>The secret parameters its environment needs.</summary>
    public IEnumerable<string> Secrets => Environment.SelectMany(e => e.Value.Secrets).Distinct(StringComparer.Ordinal);
}

/// <summary>A .NET service (an Aspire project resource): a Deployment of the image the SDK's container support builds.</summary>
/// <param name="IsExternal">The model marks its endpoint external: reachable from outside the namespace.</param>
internal sealed record ServiceWorkload(string Name, int Port, IReadOnlyList<KeyValuePair<string, EnvValue>> Environment, int Replicas, bool IsExternal)
    : Workload(Name, Port, Environment);

/// <summary>
/// A backing server (an Aspire container resource): a StatefulSet of its image with its data volumes, and the
/// databases the model declares on it (PostgreSQL).
/// </summary>
internal sealed record ServerWorkload(
    string Name,
    int Port,
    IReadOnlyList<KeyValuePair<string, EnvValue>> Environment,
    string Image,
    IReadOnlyList<string> DataPaths,
    IReadOnlyList<string> Databases,
    ServerProfile Profile)
    : Workload(Name, Port, Environment);

/// <summary>The application model as Kubernetes workloads: what <see cref="KustomizeApp"/> writes.</summary>
internal sealed record AppWorkloads(IReadOnlyList<ServiceWorkload> Services, IReadOnlyList<ServerWorkload> Servers)
{
    public IEnumerable<Workload> All => Services.Cast<Workload>().Concat(Servers);

    /// <summary>The workloads that connect to <paramref name="name"/>: the only ones its NetworkPolicy lets in.</summary>
    public IEnumerable<string> UsersOf(string name) => All.Where(w => w.Uses.Contains(name)).Select(w => w.Name);

    public bool IsServer(string name) => Servers.Any(s => s.Name == name);

    /// <summary>Secrets of the servers themselves (their passwords): not needed when the servers are external.</summary>
    public IReadOnlySet<string> ServerSecrets => Servers.SelectMany(s => s.Secrets).ToHashSet(StringComparer.Ordinal);
}
