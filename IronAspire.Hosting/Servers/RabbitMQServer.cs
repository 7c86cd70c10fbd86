using System.Globalization;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using IronAspire.Hosting.ApplicationModel;
using IronAspire.Hosting.Orchestration;

namespace IronAspire.Hosting.Servers;

/// <summary>
/// A private RabbitMQ node: its own node name, Mnesia folder, config, ports and Erlang cookie, so it neither needs
/// nor disturbs the system node. The default user and its password are set on the first boot.
/// </summary>
public sealed class RabbitMQServer(RabbitMQServerResource resource, string dataPath, ResourceLog log, bool ephemeral, string? binPath = null)
    : LocalServer(resource, dataPath, log, ephemeral, binPath)
{
    private string? RunAs => IsRoot ? "rabbitmq" : null;

    protected override string DebianPackage => "rabbitmq-server";

    /// <summary>Stable per data folder, so the node finds its Mnesia data again after a restart.</summary>
    private string NodeName => "ironaspire-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(DataPath)))[..10] + "@localhost";

    protected override async Task PrepareAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.Combine(DataPath, "home"));
        Directory.CreateDirectory(Path.Combine(DataPath, "mnesia"));
        await File.WriteAllTextAsync(Path.Combine(DataPath, "enabled_plugins"), "[].", cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(DataPath, "rabbitmq.conf"), $"""
            default_user = {((RabbitMQServerResource)Resource).UserName}
            default_pass = {Resource.Password}
            loopback_users = none
            disk_free_limit.absolute = 50MB
            """, cancellationToken);
        if (RunAs is { } user)
        {
            await ChownAsync(user, DataPath);
        }
    }

    protected override (string, IEnumerable<string>, IReadOnlyDictionary<string, string?>, string?) Command()
    {
        var server = RequireBinary("rabbitmq-server", "/usr/lib/rabbitmq/bin/rabbitmq-server");
        var env = new Dictionary<string, string?>
        {
            ["HOME"] = Path.Combine(DataPath, "home"),
            ["RABBITMQ_NODENAME"] = NodeName,
            ["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1",
            ["RABBITMQ_NODE_PORT"] = Resource.Port.ToString(CultureInfo.InvariantCulture),
            ["RABBITMQ_DIST_PORT"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["RABBITMQ_MNESIA_BASE"] = Path.Combine(DataPath, "mnesia"),
            ["RABBITMQ_MNESIA_DIR"] = Path.Combine(DataPath, "mnesia", "node"),
            ["RABBITMQ_LOG_BASE"] = DataPath,
            ["RABBITMQ_LOGS"] = "-",
            ["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(DataPath, "enabled_plugins"),
            ["RABBITMQ_CONFIG_FILE"] = Path.Combine(DataPath, "rabbitmq.conf"),
            ["RABBITMQ_ADVANCED_CONFIG_FILE"] = Path.Combine(DataPath, "advanced.config"),
            ["RABBITMQ_PID_FILE"] = Path.Combine(DataPath, "rabbitmq.pid"),
        };
        return (server, [], env, RunAs);
    }

    /// <summary>Ready when the AMQP listener answers the protocol header with connection.start.</summary>
    protected override async Task<bool> IsReadyAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", Resource.Port, cancellationToken);
            var stream = client.GetStream();
            await stream.WriteAsync("AMQP\0\0\u0009\u0001"u8.ToArray(), cancellationToken);
            var buffer = new byte[8];
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            var read = await stream.ReadAsync(buffer, timeout.Token);
            return read > 0 && buffer[0] == 1;
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
