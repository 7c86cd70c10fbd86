using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace IronAspire.AppHost;

/// <summary>
/// Where a local run keeps what must survive a restart: the servers' data, generated secrets (<c>parameters.json</c>,
/// so a server initialised on the first run accepts the same password on the next) and <c>resources.json</c>.
/// Default <c>.ironaspire/</c> at the repository root; <c>--state &lt;folder&gt;</c> chooses another.
/// </summary>
public sealed class StateFolder
{
    private readonly string _secretsFile;
    private readonly Lock _lock = new();

    private StateFolder(string path, bool ephemeral, string? serverBinPath)
    {
        Path = path;
        Ephemeral = ephemeral;
        ServerBinPath = serverBinPath;
        _secretsFile = System.IO.Path.Combine(path, "parameters.json");
    }

    public string Path { get; }

    /// <summary>Tests: servers run without fsync (their data is thrown away anyway).</summary>
    public bool Ephemeral { get; }

    /// <summary>Where server programs are looked up instead of their usual places (tests of the missing-binary message).</summary>
    public string? ServerBinPath { get; }

    public static StateFolder FromConfiguration(IConfiguration configuration, string appHostDirectory)
    {
        var path = configuration[AppHostSettings.State];
        if (string.IsNullOrWhiteSpace(path))
        {
            path = System.IO.Path.Combine(appHostDirectory, "..", ".ironaspire");
        }

        return new StateFolder(
            System.IO.Path.GetFullPath(path),
            configuration.GetValue<bool>(AppHostSettings.EphemeralServers),
            configuration[AppHostSettings.ServerBinPath]);
    }

    public string Folder(string name)
    {
        var folder = System.IO.Path.Combine(Path, name);
        Directory.CreateDirectory(folder);
        return folder;
    }

    /// <summary>A generated secret, created on first use and read back on every later run.</summary>
    public string Secret(string name)
    {
        lock (_lock)
        {
            var values = File.Exists(_secretsFile)
                ? JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(_secretsFile)) ?? []
                : [];
            if (!values.TryGetValue(name, out var value))
            {
                value = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
                values[name] = value;
                Directory.CreateDirectory(Path);
                File.WriteAllText(_secretsFile, JsonSerializer.Serialize(values));
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(_secretsFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                }
            }

            return value;
        }
    }
}
