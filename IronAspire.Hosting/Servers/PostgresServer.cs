using System.Globalization;
using IronAspire.Hosting.ApplicationModel;
using IronAspire.Hosting.Orchestration;
using Npgsql;

namespace IronAspire.Hosting.Servers;

/// <summary>
/// PostgreSQL from the Debian package's binaries: initdb on the first run only (password auth for user postgres),
/// then postgres on a loopback port; the model's databases are created once it is up.
/// </summary>
public sealed class PostgresServer(PostgresServerResource resource, string dataPath, ResourceLog log, bool ephemeral, string? binPath = null)
    : LocalServer(resource, dataPath, log, ephemeral, binPath)
{
    private string PgData => Path.Combine(DataPath, "pgdata");
    private string SocketDir => Path.Combine(DataPath, "run");
    private string? RunAs => IsRoot ? "postgres" : null;

    protected override string DebianPackage => "postgresql";

    protected override async Task PrepareAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(SocketDir);
        var initdb = RequireBinary("initdb", BinCandidates("initdb"));
        if (!File.Exists(Path.Combine(PgData, "PG_VERSION")))
        {
            Log.Info($"{Resource.Name}: initdb (first run) in {PgData}");
            Directory.CreateDirectory(PgData);
            var passwordFile = Path.Combine(DataPath, "pwfile");
            await File.WriteAllTextAsync(passwordFile, Resource.Password, cancellationToken);
            if (RunAs is { } user)
            {
                await ChownAsync(user, DataPath);
            }

            List<string> args = ["-D", PgData, "-U", "postgres", "--auth=scram-sha-256", $"--pwfile={passwordFile}", "-E", "UTF8", "--locale=C"];
            if (Ephemeral)
            {
                args.Add("--no-sync");
            }

            var init = ManagedProcess.Start(Resource.Name, initdb, args, new Dictionary<string, string?>(), Log, DataPath, RunAs);
            var code = await init.Exited;
            File.Delete(passwordFile);
            if (code != 0)
            {
                Directory.Delete(PgData, recursive: true);
                throw new InvalidOperationException($"initdb for {Resource.Name} failed with exit code {code}.");
            }
        }
        else if (RunAs is { } user)
        {
            await ChownAsync(user, DataPath);
        }
    }

    protected override (string, IEnumerable<string>, IReadOnlyDictionary<string, string?>, string?) Command()
    {
        var postgres = RequireBinary("postgres", BinCandidates("postgres"));
        List<string> args =
        [
            "-D", PgData,
            "-p", Resource.Port.ToString(CultureInfo.InvariantCulture),
            "-c", "listen_addresses=127.0.0.1",
            "-c", $"unix_socket_directories={SocketDir}",
            "-c", "max_connections=300",
        ];
        if (Ephemeral)
        {
            args.AddRange(["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]);
        }

        return (postgres, args, new Dictionary<string, string?>(), RunAs);
    }

    protected override async Task<bool> IsReadyAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = new NpgsqlConnection(Resource.ConnectionString + ";Timeout=2;Pooling=false");
            await connection.OpenAsync(cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return false;
        }
    }

    protected override async Task AfterStartAsync(CancellationToken cancellationToken)
    {
        foreach (var database in ((PostgresServerResource)Resource).Databases)
        {
            await CreateDatabaseAsync(database.DatabaseName, cancellationToken);
        }
    }

    /// <summary>Creates a database unless it exists.</summary>
    public Task CreateDatabaseAsync(string name, CancellationToken cancellationToken = default) =>
        PostgresDatabases.EnsureCreatedAsync(Resource.ConnectionString!, name, cancellationToken);

    private string[] BinCandidates(string program)
    {
        var candidates = new List<string>();
        if (Directory.Exists("/usr/lib/postgresql"))
        {
            candidates.AddRange(Directory.GetDirectories("/usr/lib/postgresql")
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0)
                .Select(d => Path.Combine(d, "bin", program)));
        }

        return [.. candidates];
    }
}
