using Microsoft.Extensions.Configuration;

namespace IronAspire.Hosting;

/// <summary>How the local orchestrator runs the model: where state lives, which ports, which build configuration.</summary>
public sealed class DistributedApplicationOptions
{
    /// <summary>Folder for servers' data, generated secrets, logs and resources.json; kept across runs.</summary>
    public required string StatePath { get; set; }

    /// <summary>Tests: every project gets a free port, fixed ports are ignored.</summary>
    public bool RandomizePorts { get; set; }

    /// <summary>Tests: servers run with fsync off (their data is thrown away anyway).</summary>
    public bool EphemeralServers { get; set; }

    /// <summary>Forward every resource's log to the console (the AppHost does; tests keep it in files and in memory).</summary>
    public bool LogToConsole { get; set; } = true;

    public TimeSpan HealthTimeout { get; set; } = TimeSpan.FromSeconds(120);
    public TimeSpan StopGracePeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The clock for health deadlines and restart back-off.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Where server binaries are looked up first (tests point it elsewhere to check the missing-binary error).</summary>
    public string? ServerBinPath { get; set; }

    public static DistributedApplicationOptions FromConfiguration(IConfiguration configuration)
    {
        var state = configuration["AppHost:State"];
        if (string.IsNullOrWhiteSpace(state))
        {
            state = Path.Combine(RepositoryRoot.Find() ?? Directory.GetCurrentDirectory(), ".ironaspire");
        }

        return new DistributedApplicationOptions
        {
            StatePath = Path.GetFullPath(state),
            ServerBinPath = configuration["AppHost:ServerBinPath"],
        };
    }
}

/// <summary>The repository root: the nearest folder above the working directory or the app that holds IronAspire.sln.</summary>
public static class RepositoryRoot
{
    public static string? Find()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "IronAspire.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        return null;
    }
}
