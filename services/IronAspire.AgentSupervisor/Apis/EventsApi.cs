using System.Net.WebSockets;
using System.Text.Json;
using IronAspire.AgentSupervisor.Apis;

namespace Microsoft.AspNetCore.Builder;

/// <summary>
/// GET /v1/events: a WebSocket of live events as JSON text messages <c>{"type","data"}</c>. The admin key comes as
/// <c>?access_token=</c> (browsers cannot set headers on a WebSocket) or as <c>Authorization: Bearer</c>.
/// </summary>
public static class EventsApi
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static IEndpointRouteBuilder MapEventsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/events", Events).WithTags("Events").WithName("events")
            .WithSummary("WebSocket: agent states, calls, PII detections, budget thresholds and circuit changes as they happen");
        return app;
    }

    private static async Task<IResult> Events(HttpContext context, AdminKey adminKey, LiveFeed feed, IHostApplicationLifetime lifetime)
    {
        if (!adminKey.Matches(AdminKey.FromHeader(context.Request) ?? context.Request.Query["access_token"].ToString()))
        {
            return AdminKey.Unauthorized();
        }

        if (!context.WebSockets.IsWebSocketRequest)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "WebSocket required",
                detail: "Connect with a WebSocket client (ws://.../v1/events?access_token=<admin key>).");
        }

        using var subscription = feed.Subscribe();
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        var reading = DrainAsync(socket, stop);
        await Send(socket, new LiveEvent("hello", new { feed.Subscribers }), stop.Token);
        try
        {
            await foreach (var message in subscription.Reader.ReadAllAsync(stop.Token))
            {
                await Send(socket, message, stop.Token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
        }

        if (socket.State == WebSocketState.Open)
        {
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        await reading.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return Results.Empty;
    }

    private static Task Send(WebSocket socket, LiveEvent message, CancellationToken cancellationToken) =>
        socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(message, Json), WebSocketMessageType.Text, true, cancellationToken);

    /// <summary>Reads (and ignores) what the client sends, to notice its close.</summary>
    private static async Task DrainAsync(WebSocket socket, CancellationTokenSource stop)
    {
        var buffer = new byte[1024];
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                var result = await socket.ReceiveAsync(buffer, stop.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }
            }
        }
        finally
        {
            await stop.CancelAsync();
        }
    }
}
