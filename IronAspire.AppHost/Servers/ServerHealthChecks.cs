using System.Net.Sockets;
using System.Text;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace IronAspire.AppHost.Servers;

/// <summary>
/// Readiness of the local servers, checked through the endpoint clients use (so <c>WaitFor</c> means a client can
/// connect): Redis answers PING after AUTH, RabbitMQ answers the AMQP header, PostgreSQL accepts a login.
/// </summary>
internal static class ServerHealthChecks
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    public static async Task<HealthCheckResult> RedisAsync(LocalRedisServerResource redis, CancellationToken cancellationToken)
    {
        try
        {
            using var client = await ConnectAsync(redis.PrimaryEndpoint, cancellationToken);
            var stream = client.GetStream();
            var password = await redis.Password.GetValueAsync(cancellationToken);
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"AUTH {password}\r\nPING\r\n"), cancellationToken);
            var reply = await ReadUntilAsync(stream, text => text.Contains("PONG") || text.Contains("-LOADING") || text.Contains("-ERR"), cancellationToken);
            return reply.Contains("+PONG") ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy($"Redis answered: {reply.Trim()}");
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("Redis is not answering yet.", ex);
        }
    }

    public static async Task<HealthCheckResult> RabbitMQAsync(LocalRabbitMQServerResource rabbit, CancellationToken cancellationToken)
    {
        try
        {
            using var client = await ConnectAsync(rabbit.PrimaryEndpoint, cancellationToken);
            var stream = client.GetStream();
            await stream.WriteAsync("AMQP\0\0\u0009\u0001"u8.ToArray(), cancellationToken);
            var buffer = new byte[8];
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Timeout);
            var read = await stream.ReadAsync(buffer, timeout.Token);
            // Frame type 1 (method): connection.start, the broker accepts AMQP clients.
            return read > 0 && buffer[0] == 1 ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("RabbitMQ is not accepting AMQP clients yet.");
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("RabbitMQ is not answering yet.", ex);
        }
    }

    public static async Task<HealthCheckResult> PostgresAsync(IResourceWithConnectionString postgres, CancellationToken cancellationToken)
    {
        try
        {
            var connectionString = await postgres.ConnectionStringExpression.GetValueAsync(cancellationToken);
            var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, Timeout = (int)Timeout.TotalSeconds };
            await using var connection = new NpgsqlConnection(builder.ConnectionString);
            await connection.OpenAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"PostgreSQL ({postgres.Name}) does not accept logins yet.", ex);
        }
    }

    private static async Task<TcpClient> ConnectAsync(EndpointReference endpoint, CancellationToken cancellationToken)
    {
        var client = new TcpClient();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            await client.ConnectAsync(endpoint.Host == "localhost" ? "127.0.0.1" : endpoint.Host, endpoint.Port, timeout.Token);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    private static async Task<string> ReadUntilAsync(NetworkStream stream, Func<string, bool> done, CancellationToken cancellationToken)
    {
        var received = new StringBuilder();
        var buffer = new byte[256];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        while (!done(received.ToString()))
        {
            var read = await stream.ReadAsync(buffer, timeout.Token);
            if (read == 0)
            {
                break;
            }

            received.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        return received.ToString();
    }
}
