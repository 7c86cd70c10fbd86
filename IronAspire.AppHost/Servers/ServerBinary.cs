namespace IronAspire.AppHost.Servers;

/// <summary>
/// Finds a backing server's program from its Debian package — only in <c>AppHost:ServerBinPath</c> when that is set,
/// else in the package's usual folders and on PATH — or fails with one line naming the package and the install script.
/// </summary>
internal static class ServerBinary
{
    public static string Find(string? binPath, string program, string debianPackage, params string[] candidates)
    {
        if (!string.IsNullOrEmpty(binPath))
        {
            var configured = Path.Combine(binPath, program);
            return File.Exists(configured) ? configured : throw new MissingServerBinaryException(program, debianPackage);
        }

        foreach (var candidate in candidates.Concat((Environment.GetEnvironmentVariable("PATH") ?? "")
                     .Split(':', StringSplitOptions.RemoveEmptyEntries).Select(dir => Path.Combine(dir, program))))
        {
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new MissingServerBinaryException(program, debianPackage);
    }

    /// <summary>PostgreSQL's programs live in a versioned folder (<c>/usr/lib/postgresql/15/bin</c>); newest first.</summary>
    public static string[] PostgresCandidates(string program) =>
        Directory.Exists("/usr/lib/postgresql")
            ? [.. Directory.GetDirectories("/usr/lib/postgresql")
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var version) ? version : 0)
                .Select(d => Path.Combine(d, "bin", program))]
            : [];
}

/// <summary>A server program is not installed; the message is the one line a newcomer needs.</summary>
public sealed class MissingServerBinaryException(string program, string debianPackage)
    : Exception($"'{program}' was not found: install the Debian package '{debianPackage}' (apt-get install -y {debianPackage}), or run 'bash scripts/install-prerequisites.sh'.")
{
    public string DebianPackage { get; } = debianPackage;
}
