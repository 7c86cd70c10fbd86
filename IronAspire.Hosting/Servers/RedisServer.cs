using System.Net.Sockets;
using System.Text;
using IronAspire.Hosting.ApplicationModel;
using IronAspire.Hosting.Orchestration;

namespace IronAspire.Hosting.Servers;

/// <summary>redis-server with append-only persistence (every second), password required, loopback only.</summary>
public sealed class RedisServer(RedisResource resource, string dataPath, ResourceLog log, bool ephemeral, string? binPath = null)
    : LocalServer(resource, dataPath, log, ephemeral, binPath)
{
    protected override string DebianPackage => "redis-server";

    protected override (string, IEnumerable<string>, IReadOnlyDictionary<string, string?>, string?) Command()
    {
        var binary = RequireBinary("redis-server");
        string[] args =
        [
            "--port", Resource.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--bind", "127.0.0.1",
            "--dir", DataPath,
            "--appendonly", "yes",
            "--appendfsync", Ephemeral ? "no" : "everysec",
            "--save", "",
            "--requirepass", Resource.Password!,
            "--daemonize", "no",
            "--logfile", "",
        ];
        return (binary, args, new Dictionary<string, string?>(), null);
    }

    protected override async Task<bool> IsReadyAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", Resource.Port, cancellationToken);
            var stream = client.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"AUTH {Resource.Password}\r\nPING\r\n"), cancellationToken);
            var buffer = new byte[256];
            var received = new StringBuilder();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            while (!received.ToString().Contains("PONG") && !received.ToString().Contains("-LOADING"))
            {
                var read = await stream.ReadAsync(buffer, timeout.Token);
                if (read == 0)
                {
                    break;
                }

                received.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }

            return received.ToString().Contains("+PONG");
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
