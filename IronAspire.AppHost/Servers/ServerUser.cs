using System.Diagnostics;

namespace IronAspire.AppHost.Servers;

/// <summary>
/// PostgreSQL and RabbitMQ refuse to run as root. When the AppHost runs as root they run as their Debian package's
/// system user through <c>setpriv</c>, which execs in place (unlike su/runuser), so DCP's pid is the server's own.
/// Their data folders must then belong to that user, and every folder above must be enterable by it.
/// </summary>
public sealed class ServerUser(string? name)
{
    public static ServerUser For(string systemUser) => new(Environment.UserName == "root" ? systemUser : null);

    /// <summary>The user the server runs as, or null to run as the AppHost's own user.</summary>
    public string? Name => name;

    /// <summary>The executable DCP starts: the server itself, or setpriv in front of it.</summary>
    public string Command(string program) => name is null ? program : "setpriv";

    /// <summary>The arguments that go before the server's own when it runs as another user.</summary>
    public IEnumerable<string> Prefix(string program) =>
        name is null ? [] : [$"--reuid={name}", $"--regid={name}", "--init-groups", "--", program];

    /// <summary>
    /// Fails with a clear message when a folder above <paramref name="folder"/> is closed to the user (a state folder
    /// under a home directory such as /root, mode 700): the server could not even reach its data.
    /// </summary>
    public void EnsureCanReach(string folder)
    {
        if (name is null || OperatingSystem.IsWindows())
        {
            return;
        }

        for (var dir = new DirectoryInfo(folder).Parent; dir is not null; dir = dir.Parent)
        {
            var mode = File.GetUnixFileMode(dir.FullName);
            if ((mode & UnixFileMode.OtherExecute) == 0)
            {
                throw new StateFolderAccessException(
                    $"the '{name}' user cannot enter {dir.FullName} (mode {Convert.ToString((int)mode, 8)}), which holds the state folder {folder}: " +
                    $"choose a state folder it can reach (--state /var/tmp/ironaspire) or open it: chmod o+x {dir.FullName}");
            }
        }
    }

    /// <summary>Gives the user its data folder.</summary>
    public async Task TakeOwnershipAsync(string folder, CancellationToken cancellationToken)
    {
        if (name is null || OperatingSystem.IsWindows())
        {
            return;
        }

        await RunAsync("chown", ["-R", $"{name}:{name}", folder], cancellationToken);
    }

    private static async Task RunAsync(string program, string[] args, CancellationToken cancellationToken)
    {
        using var process = Process.Start(new ProcessStartInfo(program, args) { RedirectStandardError = true })!;
        var error = await process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new StateFolderAccessException($"{program} {string.Join(' ', args)} failed: {error.Trim()}");
        }
    }
}

/// <summary>The state folder cannot be used by a server's system user.</summary>
public sealed class StateFolderAccessException(string message) : Exception(message);
