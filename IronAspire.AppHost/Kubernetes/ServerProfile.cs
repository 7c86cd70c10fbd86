using Aspire.Hosting.ApplicationModel;

namespace IronAspire.AppHost.Kubernetes;

/// <summary>
/// What Kubernetes needs about a backing server's image that Aspire's container resource does not say: the user the
/// image runs as, how to probe it, its resources, where it writes besides its data volume, and (Redis) its command.
/// </summary>
internal sealed record ServerProfile(
    long User,
    IReadOnlyList<string>? Command,
    IReadOnlyList<string> ReadinessCommand,
    Resources Resources,
    bool ReadOnlyRootFileSystem,
    IReadOnlyList<string> ScratchPaths,
    string VolumeSize)
{
    public static ServerProfile For(ContainerResource resource) => resource switch
    {
        // The image's own user (uid 999) in every official image below. Redis keeps an append-only file on its volume
        // (the image's default is periodic snapshots only), so a restarted pod loses at most a second of counters.
        RedisResource => new(999,
            ["redis-server", "--requirepass", "$(REDIS_PASSWORD)", "--dir", "/data", "--appendonly", "yes", "--appendfsync", "everysec", "--save", ""],
            ["sh", "-c", "redis-cli -a \"$REDIS_PASSWORD\" --no-auth-warning ping | grep -q PONG"],
            new("100m", "128Mi", "1", "512Mi"), ReadOnlyRootFileSystem: true, [], "1Gi"),
        PostgresServerResource => new(999, null,
            ["sh", "-c", "pg_isready -h 127.0.0.1 -U \"$POSTGRES_USER\""],
            new("250m", "256Mi", "2", "1Gi"), ReadOnlyRootFileSystem: true, ["/var/run/postgresql", "/tmp"], "5Gi"),
        // The image's entrypoint writes its configuration under /etc/rabbitmq at start, so its root stays writable.
        RabbitMQServerResource => new(999, null,
            ["rabbitmq-diagnostics", "-q", "ping"],
            new("250m", "512Mi", "1", "1Gi"), ReadOnlyRootFileSystem: false, [], "2Gi"),
        _ => throw new NotSupportedException(
            $"Container resource '{resource.Name}' ({resource.GetType().Name}) has no Kubernetes profile; add one in {nameof(ServerProfile)}."),
    };
}

/// <summary>Requests and limits of one container.</summary>
internal sealed record Resources(string CpuRequest, string MemoryRequest, string CpuLimit, string MemoryLimit)
{
    public static readonly Resources Service = new("100m", "192Mi", "1", "512Mi");

    /// <summary>The Router does the per-call work (PII scans, the budget script, the proxy); its CPU drives the autoscaler.</summary>
    public static readonly Resources Router = new("250m", "256Mi", "2", "768Mi");
}
