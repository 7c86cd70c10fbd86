namespace IronAspire.EventBus;

/// <summary>The parts of an Aspire RabbitMQ connection string: amqp[s]://user:password@host:port[/vhost].</summary>
internal sealed record AmqpAddress(string Host, ushort Port, string VirtualHost, string Username, string Password, bool UseTls)
{
    public static AmqpAddress Parse(string connectionString)
    {
        if (!Uri.TryCreate(connectionString, UriKind.Absolute, out var uri) || uri.Scheme is not ("amqp" or "amqps"))
        {
            throw new InvalidOperationException(
                $"ConnectionStrings:messaging must be an amqp:// or amqps:// URI (amqp://user:password@host:port/vhost), not '{Redact(connectionString)}'.");
        }

        var tls = uri.Scheme == "amqps";
        var userInfo = uri.UserInfo.Split(':', 2);
        var username = userInfo[0].Length > 0 ? Uri.UnescapeDataString(userInfo[0]) : "guest";
        var password = userInfo.Length > 1 ? Uri.UnescapeDataString(userInfo[1]) : "guest";
        var port = uri.IsDefaultPort || uri.Port <= 0 ? (tls ? 5671 : 5672) : uri.Port;
        var path = uri.AbsolutePath.Trim('/');
        var virtualHost = path.Length == 0 ? "/" : Uri.UnescapeDataString(path);
        return new AmqpAddress(uri.Host, (ushort)port, virtualHost, username, password, tls);
    }

    private static string Redact(string value)
    {
        var at = value.LastIndexOf('@');
        return at < 0 ? value : "***" + value[at..];
    }
}
