using Aspire.Hosting.ApplicationModel;

namespace IronAspire.AppHost.Servers;

/// <summary>
/// PostgreSQL from Debian's binaries as an Aspire executable (<c>initdb</c> on the first start, then <c>postgres</c> on
/// loopback, data under the state folder). Its connection string has the shape of Aspire's PostgreSQL server resource.
/// </summary>
public sealed class LocalPostgresServerResource(string name, string command, string dataPath, ParameterResource password)
    : ExecutableResource(name, command, dataPath), IResourceWithConnectionString
{
    internal const string EndpointName = "tcp";
    public const string UserName = "postgres";

    private EndpointReference? _primaryEndpoint;

    public EndpointReference PrimaryEndpoint => _primaryEndpoint ??= new(this, EndpointName);

    public ParameterResource Password => password;

    public string DataPath => WorkingDirectory;

    public string PgData => Path.Combine(WorkingDirectory, "pgdata");

    public string SocketPath => Path.Combine(WorkingDirectory, "run");

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"Host={PrimaryEndpoint.Property(EndpointProperty.Host)};Port={PrimaryEndpoint.Property(EndpointProperty.Port)};Username={UserName};Password={Password}");
}

/// <summary>
/// A database on a PostgreSQL server (local, or one given by connection string); it is ready once it exists, and is
/// created when it does not. Connection string: the server's plus <c>;Database=name</c>, as Aspire's database resource.
/// </summary>
public sealed class LocalPostgresDatabaseResource(string name, string databaseName, IResourceWithConnectionString server)
    : Resource(name), IResourceWithConnectionString
{
    public string DatabaseName => databaseName;

    public IResourceWithConnectionString Server => server;

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create($"{server};Database={databaseName}");
}
