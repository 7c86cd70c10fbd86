namespace IronAspire.Hosting.ApplicationModel;

/// <summary>A PostgreSQL server (user postgres); services reference its databases, not the server.</summary>
public sealed class PostgresServerResource(string name) : ServerResource(name)
{
    private readonly List<PostgresDatabaseResource> _databases = [];

    public IReadOnlyList<PostgresDatabaseResource> Databases => _databases;

    public override string? ConnectionString =>
        ExternalConnectionString ?? (Port == 0 ? null : $"Host={Host};Port={Port};Username=postgres;Password={Password}");

    public override string ConnectionStringExpression =>
        $"Host={{{Name}.bindings.tcp.host}};Port={{{Name}.bindings.tcp.port}};Username=postgres;Password={{{Name}-password.value}}";

    public override string Image => "docker.io/library/postgres:17.6";
    public override int TargetPort => 5432;

    internal PostgresDatabaseResource AddDatabase(string name, string databaseName)
    {
        var database = new PostgresDatabaseResource(name, databaseName, this);
        _databases.Add(database);
        return database;
    }
}

/// <summary>A database on a PostgreSQL server: the server's connection string plus <c>;Database=</c>.</summary>
public sealed class PostgresDatabaseResource(string name, string databaseName, PostgresServerResource parent)
    : IResourceWithConnectionString, IResourceWithHealth
{
    public string Name { get; } = name;
    public string DatabaseName { get; } = databaseName;
    public PostgresServerResource Parent { get; } = parent;

    /// <summary>A connection string configured for the database itself replaces the server's.</summary>
    public string? ExternalConnectionString { get; internal set; }

    public string? ConnectionString =>
        ExternalConnectionString ?? (Parent.ConnectionString is { } server ? $"{server};Database={DatabaseName}" : null);

    public string ConnectionStringExpression => $"{{{Parent.Name}.connectionString}};Database={DatabaseName}";
}
