using System.Text;
using System.Text.Json;

namespace IronAspire.MockProvider.Simulation;

/// <summary>Writes server-sent events the way the providers do: optional <c>event:</c> line, one <c>data:</c> line, blank line, flushed.</summary>
public static class SseWriter
{
    public static void Start(HttpResponse response)
    {
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
    }

    public static async Task WriteAsync(HttpResponse response, string? eventName, object data, CancellationToken cancellationToken)
    {
        var json = data as string ?? JsonSerializer.Serialize(data);
        var text = eventName is null ? $"data: {json}\n\n" : $"event: {eventName}\ndata: {json}\n\n";
        await response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }
}
