using System.Buffers;
using System.Text.Json;
using IronAspire.MockProvider.Wire;

namespace IronAspire.MockProvider.Simulation;

/// <summary>
/// One request to the simulator, parsed, with the reply it will get, and the writer of its response: JSON straight
/// into the response pipe, or server-sent events, with the drop-mid-stream fault applied on the way.
/// </summary>
public sealed class SimulatedCall(HttpContext context, JsonDocument document, ProviderEndpoint endpoint, string model, long created) : IDisposable
{
    /// <summary>Content events sent before a drop-mid-stream fault closes the connection.</summary>
    public const int EventsBeforeDrop = 3;

    private Utf8JsonWriter? _writer;
    private ArrayBufferWriter<byte>? _partial;
    private int _contentEvents;
    private bool? _includeUsage;

    public HttpContext Context => context;
    public JsonElement Root => document.RootElement;
    public ProviderEndpoint Endpoint => endpoint;
    public string Model => model;

    /// <summary>Unix time of the call, as the providers' <c>created</c> fields.</summary>
    public long Created => created;

    public CancellationToken Aborted => context.RequestAborted;

    public bool Stream { get; init; }
    public int InputTokens { get; init; }

    /// <summary>The request's max output tokens (int.MaxValue when it set none).</summary>
    public int MaxOutputTokens { get; init; } = int.MaxValue;

    public int ChunkDelayMs { get; init; }
    public int ChunkSize { get; init; } = 1;
    public bool DropMidStream { get; init; }

    public ReadOnlyMemory<char> Reply { get; set; }

    /// <summary>The reply was cut by the max output tokens (OpenAI finish_reason "length", Anthropic stop_reason "max_tokens").</summary>
    public bool Truncated { get; set; }

    public ToolCallPlan? ToolCall { get; set; }

    public int OutputTokens => ToolCall?.OutputTokens(MaxOutputTokens) ?? TokenCount.Of(Reply.Span);

    /// <summary>The request asked for stream usage (read once: every chunk of the stream asks).</summary>
    public bool IncludeUsage => _includeUsage ??=
        Root.TryGetProperty("stream_options"u8, out var options) && options.ValueKind == JsonValueKind.Object
        && options.TryGetProperty("include_usage"u8, out var include) && include.ValueKind == JsonValueKind.True;

    public ReplyChunks Chunks() => new(Reply, ChunkSize);

    /// <summary>Starts a JSON response body; finish with <see cref="EndJsonAsync"/>.</summary>
    public Utf8JsonWriter BeginJson()
    {
        context.Response.ContentType = "application/json";
        if (DropMidStream)
        {
            // The body is built aside so only half of it is sent before the connection drops.
            _partial = new ArrayBufferWriter<byte>(1024);
            return _writer = new Utf8JsonWriter(_partial, JsonWire.Options);
        }

        return _writer = new Utf8JsonWriter(context.Response.BodyWriter, JsonWire.Options);
    }

    public async Task EndJsonAsync()
    {
        _writer!.Flush();
        if (_partial is { } partial)
        {
            await context.Response.Body.WriteAsync(partial.WrittenMemory[..(partial.WrittenCount / 2)], Aborted);
            await context.Response.Body.FlushAsync(Aborted);
            throw new SimulatedConnectionDrop();
        }

        await context.Response.BodyWriter.FlushAsync(Aborted);
    }

    /// <summary>Starts a server-sent event stream, as the providers send it.</summary>
    public void BeginStream()
    {
        var response = context.Response;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        _writer = new Utf8JsonWriter(response.BodyWriter, JsonWire.Options);
    }

    /// <summary>Starts one event (<c>event:</c> line when named, then <c>data:</c>); write its JSON, then call <see cref="EndEventAsync"/>.</summary>
    public Utf8JsonWriter BeginEvent(ReadOnlySpan<byte> name)
    {
        var pipe = context.Response.BodyWriter;
        if (!name.IsEmpty)
        {
            pipe.Write("event: "u8);
            pipe.Write(name);
            pipe.Write("\n"u8);
        }

        pipe.Write("data: "u8);
        _writer!.Reset(pipe);
        return _writer;
    }

    /// <summary>
    /// Ends the event and sends it. Under a drop-mid-stream fault the <see cref="EventsBeforeDrop"/>th
    /// <paramref name="content"/> event is the last: it throws <see cref="SimulatedConnectionDrop"/>.
    /// </summary>
    public async ValueTask EndEventAsync(bool content = false)
    {
        _writer!.Flush();
        var pipe = context.Response.BodyWriter;
        pipe.Write("\n\n"u8);
        await pipe.FlushAsync(Aborted);
        if (content && DropMidStream && ++_contentEvents == EventsBeforeDrop)
        {
            throw new SimulatedConnectionDrop();
        }
    }

    /// <summary>OpenAI's end of stream: <c>data: [DONE]</c>.</summary>
    public async Task WriteDoneAsync()
    {
        var pipe = context.Response.BodyWriter;
        pipe.Write("data: [DONE]\n\n"u8);
        await pipe.FlushAsync(Aborted);
    }

    /// <summary>The pause between two stream chunks (none by default).</summary>
    public Task PauseAsync(TimeProvider time) =>
        ChunkDelayMs > 0 ? Task.Delay(TimeSpan.FromMilliseconds(ChunkDelayMs), time, Aborted) : Task.CompletedTask;

    /// <summary>A provider id: the prefix and 24 random hex digits (e.g. <c>chatcmpl-…</c>, <c>msg_…</c>).</summary>
    public static string NewId(string prefix) => string.Create(prefix.Length + 24, prefix, static (span, prefix) =>
    {
        prefix.CopyTo(span);
        Span<char> hex = stackalloc char[32];
        Guid.NewGuid().TryFormat(hex, out _, "N");
        hex[..24].CopyTo(span[prefix.Length..]);
    });

    public void Dispose()
    {
        _writer?.Dispose();
        document.Dispose();
    }
}
