using Npgsql;

namespace IronAspire.Hosting.Servers;

/// <summary>Creates the model's databases on a PostgreSQL server, local or given by connection string (as Aspire 9+ does).</summary>
public static class PostgresDatabases
{
    /// <summary>Creates <paramref name="name"/> unless it exists (PostgreSQL has no CREATE DATABASE IF NOT EXISTS).</summary>
    public static async Task EnsureCreatedAsync(string serverConnectionString, string name, CancellationToken cancellationToken = default)
    {
        var builder = new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection) { Parameters = { new() { Value = name } } };
        if (await exists.ExecuteScalarAsync(cancellationToken) is not null)
        {
            return;
        }

        try
        {
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.DuplicateDatabase)
        {
            // Created concurrently by someone else: fine.
        }
    }
}
