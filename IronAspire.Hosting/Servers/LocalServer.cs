using System.Diagnostics;
using IronAspire.Hosting.ApplicationModel;
using IronAspire.Hosting.Orchestration;

namespace IronAspire.Hosting.Servers;

/// <summary>
/// A backing server run from its Debian package's binaries on a loopback port, with its data in a folder that
/// survives restarts. When running as root, servers that refuse root (PostgreSQL, RabbitMQ) run as their package's
/// system user.
/// </summary>
public abstract class LocalServer(ServerResource resource, string dataPath, ResourceLog log, bool ephemeral, string? binPath)
{
    private ManagedProcess? _process;

    public ServerResource Resource => resource;
    protected string DataPath => dataPath;
    protected ResourceLog Log => log;
    protected bool Ephemeral => ephemeral;
    public ManagedProcess? Process => _process;

    /// <summary>The Debian package that provides this server, named in the error when a binary is missing.</summary>
    protected abstract string DebianPackage { get; }

    /// <summary>Starts the server on <paramref name="port"/> (or a free one) and returns once it accepts clients.</summary>
    public async Task StartAsync(int port = 0, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(dataPath);
        resource.Port = port == 0 ? FreePort.Next() : port;
        await PrepareAsync(cancellationToken);
        var (file, args, env, user) = Command();
        _process = ManagedProcess.Start(resource.Name, file, args, env, log, dataPath, user);
        var timeout = Stopwatch.StartNew();
        while (!await IsReadyAsync(cancellationToken))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException(
                    $"{resource.Name} ({DebianPackage}) exited with code {_process.Exited.Result} while starting; its log is in {dataPath}/../logs/{resource.Name}.log.");
            }

            if (timeout.Elapsed > TimeSpan.FromSeconds(90))
            {
                throw new TimeoutException($"{resource.Name} did not become ready within 90 s.");
            }

            await Task.Delay(100, cancellationToken);
        }

        await AfterStartAsync(cancellationToken);
    }

    public Task StopAsync() => _process?.StopAsync(TimeSpan.FromSeconds(15)) ?? Task.CompletedTask;

    protected virtual Task PrepareAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    protected virtual Task AfterStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    protected abstract (string File, IEnumerable<string> Args, IReadOnlyDictionary<string, string?> Env, string? RunAs) Command();

    protected abstract Task<bool> IsReadyAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Finds a server binary — only in the configured folder when there is one, else in the candidates and on PATH —
    /// or fails saying exactly which Debian package to install.
    /// </summary>
    protected string RequireBinary(string name, params string[] candidates)
    {
        if (binPath is not null)
        {
            var configured = Path.Combine(binPath, name);
            return File.Exists(configured) ? configured : throw new MissingServerBinaryException(resource.Name, name, DebianPackage);
        }

        foreach (var candidate in candidates)
        {
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var path = Path.Combine(dir, name);
            if (File.Exists(path))
            {
                return path;
            }
        }

        throw new MissingServerBinaryException(resource.Name, name, DebianPackage);
    }

    protected static bool IsRoot => Environment.UserName == "root";

    /// <summary>Gives a system user the data folder (servers that refuse to run as root).</summary>
    protected static async Task ChownAsync(string user, string path)
    {
        using var chown = System.Diagnostics.Process.Start("chown", ["-R", $"{user}:{user}", path]);
        await chown.WaitForExitAsync();
        if (chown.ExitCode != 0)
        {
            throw new InvalidOperationException($"chown -R {user} {path} failed with exit code {chown.ExitCode}.");
        }
    }
}

/// <summary>A server binary is not installed; the message names the Debian package that provides it.</summary>
public sealed class MissingServerBinaryException(string resource, string binary, string package)
    : Exception($"Cannot start '{resource}': the program '{binary}' was not found. Install it with: apt-get install -y {package}")
{
    public string Package { get; } = package;
}
