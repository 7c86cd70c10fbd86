using System.Security.Cryptography;
using System.Text.Json;

namespace IronAspire.Hosting.Orchestration;

/// <summary>
/// Generated secrets (server passwords, keys) kept in the state folder, so a server initialised on the first run
/// accepts the same password on the next — Aspire's generated parameters.
/// </summary>
public sealed class Secrets(string statePath)
{
    private readonly string _file = Path.Combine(statePath, "parameters.json");
    private readonly Lock _lock = new();

    public string GetOrCreate(string name)
    {
        lock (_lock)
        {
            var values = File.Exists(_file)
                ? JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(_file)) ?? []
                : [];
            if (!values.TryGetValue(name, out var value))
            {
                value = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
                values[name] = value;
                Directory.CreateDirectory(Path.GetDirectoryName(_file)!);
                File.WriteAllText(_file, JsonSerializer.Serialize(values));
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(_file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                }
            }

            return value;
        }
    }
}
