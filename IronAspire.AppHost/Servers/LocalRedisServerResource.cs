using Aspire.Hosting.ApplicationModel;

namespace IronAspire.AppHost.Servers;

/// <summary>
/// Debian's <c>redis-server</c> as an Aspire executable: loopback only, a password, append-only persistence under the
/// state folder. Its connection string has the shape of Aspire's Redis resource (<c>host:port,password=...</c>).
/// </summary>
public sealed class LocalRedisServerResource(string name, string command, string dataPath, ParameterResource password)
    : ExecutableResource(name, command, dataPath), IResourceWithConnectionString
{
    internal const string EndpointName = "tcp";

    private EndpointReference? _primaryEndpoint;

    public EndpointReference PrimaryEndpoint => _primaryEndpoint ??= new(this, EndpointName);

    public ParameterResource Password => password;

    public string DataPath => WorkingDirectory;

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"{PrimaryEndpoint.Property(EndpointProperty.HostAndPort)},password={Password}");
}
