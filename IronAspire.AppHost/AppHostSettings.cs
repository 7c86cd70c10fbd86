namespace IronAspire.AppHost;

/// <summary>
/// The AppHost's own settings (configuration keys) and the command-line switches that set them, so
/// <c>--state x</c>, <c>--router-port 9000</c> and <c>--AppHost:RouterPort=9000</c> mean the same.
/// </summary>
public static class AppHostSettings
{
    public const string State = "AppHost:State";
    public const string RouterPort = "AppHost:RouterPort";
    public const string SupervisorPort = "AppHost:SupervisorPort";
    public const string RouterReplicas = "AppHost:RouterReplicas";
    public const string SampleAgent = "AppHost:SampleAgent";
    public const string EphemeralServers = "AppHost:EphemeralServers";
    public const string ServerBinPath = "AppHost:ServerBinPath";

    /// <summary>Only the backing servers (the service tests' and benchmarks' fixture).</summary>
    public const string ServersOnly = "AppHost:ServersOnly";

    public const int DefaultRouterPort = 8100;
    public const int DefaultSupervisorPort = 8101;

    private static readonly Dictionary<string, string> Switches = new(StringComparer.OrdinalIgnoreCase)
    {
        ["--state"] = State,
        ["--router-port"] = RouterPort,
        ["--supervisor-port"] = SupervisorPort,
        ["--router-replicas"] = RouterReplicas,
    };

    /// <summary>Rewrites the AppHost's switches (<c>--state x</c>, <c>--state=x</c>) as configuration arguments Aspire reads.</summary>
    public static string[] Normalize(string[] args)
    {
        var result = new List<string>(args.Length);
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            var name = equals > 0 ? arg[..equals] : arg;
            if (Switches.TryGetValue(name, out var key))
            {
                var value = equals > 0 ? arg[(equals + 1)..] : i + 1 < args.Length ? args[++i] : "";
                result.Add($"--{key}={value}");
            }
            else
            {
                result.Add(arg);
            }
        }

        return [.. result];
    }
}
