using Aspire.Hosting.ApplicationModel;

namespace IronAspire.AppHost.Servers;

/// <summary>
/// A private RabbitMQ node from Debian's <c>rabbitmq-server</c> as an Aspire executable: its own node name, Mnesia
/// folder, config, ports and Erlang cookie under the state folder, so it neither needs nor disturbs a system node.
/// Connection string: <c>amqp://user:password@host:port</c>, as Aspire's RabbitMQ resource.
/// </summary>
public sealed class LocalRabbitMQServerResource(string name, string command, string dataPath, ParameterResource password)
    : ExecutableResource(name, command, dataPath), IResourceWithConnectionString
{
    internal const string EndpointName = "tcp";
    internal const string DistributionEndpointName = "dist";
    public const string UserName = "ironaspire";

    private EndpointReference? _primaryEndpoint;

    public EndpointReference PrimaryEndpoint => _primaryEndpoint ??= new(this, EndpointName);

    public ParameterResource Password => password;

    public string DataPath => WorkingDirectory;

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"amqp://{UserName}:{Password}@{PrimaryEndpoint.Property(EndpointProperty.HostAndPort)}");
}
