namespace IronAspire.Hosting.ApplicationModel;

/// <summary>
/// A backing server (Redis, PostgreSQL, RabbitMQ) run as a local process on a loopback port — or, when a connection
/// string for it is configured, an external server the model only points to (Aspire's AddConnectionString).
/// </summary>
public abstract class ServerResource(string name) : IResourceWithConnectionString, IResourceWithHealth
{
    public string Name { get; } = name;

    /// <summary>Set when configuration provided a connection string: nothing is started for this resource.</summary>
    public string? ExternalConnectionString { get; internal set; }

    public int Port { get; internal set; }
    public string Host { get; internal set; } = "127.0.0.1";
    public string? Password { get; internal set; }

    public abstract string? ConnectionString { get; }
    public abstract string ConnectionStringExpression { get; }

    /// <summary>The container image a deployment runs this server from (manifest container.v0).</summary>
    public abstract string Image { get; }

    /// <summary>The port the server listens on inside its container.</summary>
    public abstract int TargetPort { get; }

    /// <summary>The binding's scheme in the manifest (tcp).</summary>
    public virtual string Scheme => "tcp";
}
