using System.Buffers;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using IronAspire.Router.Errors;
using IronAspire.Router.Providers;
using IronAspire.Router.Proxy.Streams;
using IronAspire.Router.Proxy.Translation;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IronAspire.Router.Proxy;

/// <summary>
/// Copies a provider's response to the client: JSON bodies whole (usage read, text redacted), SSE streams event by
/// event as they arrive (never buffered whole), anything else byte for byte. Never throws: a cut stream becomes an
/// error event and an aborted connection, a client that went away just ends the relay.
/// </summary>
internal sealed partial class ResponseRelay(IOptions<RouterOptions> options, TimeProvider time, ILogger<ResponseRelay> logger)
{
    private const int MaxJsonBodyBytes = 64 * 1024 * 1024;
    private const int MaxUnflushedBytes = 16 * 1024;
    private readonly TimeSpan _idleTimeout = TimeSpan.FromSeconds(options.Value.Timeouts.StreamIdleSeconds);

    public async Task RelayAsync(HttpContext context, HttpResponseMessage upstream, LlmCall call, CancellationToken cancellationToken)
    {
        var mediaType = upstream.Content.Headers.ContentType?.MediaType;
        var success = upstream.IsSuccessStatusCode;
        var redaction = success ? call.ResponseRedaction : null;
        try
        {
            if (success && mediaType == "text/event-stream")
            {
                await RelayStreamAsync(context, upstream, call, redaction, cancellationToken);
            }
            else if (success && mediaType == "application/json")
            {
                await RelayJsonAsync(context, upstream, call, redaction, cancellationToken);
            }
            else if (!success && call.Translated)
            {
                call.ErrorType = "upstream_error";
                await RelayTranslatedErrorAsync(context, upstream, call, cancellationToken);
            }
            else
            {
                if (!success)
                {
                    call.ErrorType = "upstream_error";
                }

                await CopyAsync(context, upstream, call, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            call.MarkClientDisconnected();
        }
    }

    private async Task RelayJsonAsync(HttpContext context, HttpResponseMessage upstream, LlmCall call, IResponseRedaction? redaction, CancellationToken cancellationToken)
    {
        var body = await ReadBoundedAsync(upstream, cancellationToken);
        MarkFirstByte(call);
        // Usage as the provider reported it, in its own API: that is what is billed.
        call.Usage = UsageReader.ReadFromBody(body.Span);
        try
        {
            if (call.Translated)
            {
                body = DialectTranslation.ResponseBody(call.Operation, body.Span, time.GetUtcNow().ToUnixTimeSeconds());
            }

            if (redaction is not null)
            {
                if (JsonBodyRedaction.TryRewriteChatResponseTexts(body, redaction.Redact, out var rewritten))
                {
                    body = rewritten;
                }
                else if (JsonNode.Parse(body.Span) is JsonObject root && JsonBodyRedaction.RewriteResponseTexts(root, redaction.Redact))
                {
                    body = JsonSerializer.SerializeToUtf8Bytes(root);
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or JsonKindException)
        {
            // An answer that cannot be translated or checked for personal data is not passed on: the client gets a
            // 502 in its own format (the provider's usage, read above, is still what the call is billed).
            LogUnreadableAnswer(logger, call.Provider?.Name ?? "?", call.RequestId, ex.Message);
            var error = new ApiError(502, "upstream_invalid_response", "The provider's answer could not be " +
                (call.Translated ? "translated" : "checked for personal data") + ": " + (ex is JsonKindException ? ex.Message : "it is not valid JSON."));
            call.StatusCode = error.Status;
            call.ErrorType = error.Code;
            context.Response.ContentLength = null;
            await error.WriteAsync(context, call.Operation.Dialect);
            return;
        }

        if (call.BudgetRemainingUsd is { } remaining)
        {
            context.Response.Headers["x-ironaspire-budget-remaining"] = remaining.ToString("0.#########", System.Globalization.CultureInfo.InvariantCulture);
        }

        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, cancellationToken);
    }

    private async Task RelayStreamAsync(HttpContext context, HttpResponseMessage upstream, LlmCall call, IResponseRedaction? redaction, CancellationToken cancellationToken)
    {
        StreamProcessor processor = call.Operation == LlmOperation.Messages
            ? new AnthropicStreamProcessor(redaction)
            : call.Operation == LlmOperation.Responses
                ? new OpenAIResponsesStreamProcessor(redaction)
                : new OpenAIChatStreamProcessor(redaction, call.Request?.UsageChunkAddedByRouter == true);
        if (call.Translated)
        {
            processor = DialectTranslation.StreamProcessor(call.Operation, processor, time.GetUtcNow().ToUnixTimeSeconds());
        }

        var response = context.Response;
        response.Headers.ContentLength = null;
        response.Headers.CacheControl = "no-cache";
        // Tell any buffering proxy in front of the Router to pass events straight through.
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        var output = new List<SseEvent>(2);
        await using var stream = await upstream.Content.ReadAsStreamAsync(cancellationToken);
        await using var reader = new SseEventReader(stream, _idleTimeout);
        try
        {
            var unflushed = 0;
            var raw = await reader.ReadEventAsync(cancellationToken);
            while (raw is { } eventBytes)
            {
                output.Clear();
                // Parsed and written before the next read, which reuses the event's bytes.
                processor.Process(SseEvent.Parse(eventBytes), output);
                unflushed += Write(response, output);

                // Events that arrived together leave together: one flush (one send) for all of them, but the first
                // byte never waits for the events behind it, and nothing waits for the provider's next read.
                var flushNow = (output.Count > 0 && call.TimeToFirstByteMs is null) || unflushed > MaxUnflushedBytes;
                if (!flushNow && reader.TryReadBufferedEvent(out var buffered))
                {
                    raw = buffered;
                    continue;
                }

                if (unflushed > 0)
                {
                    MarkFirstByte(call);
                    unflushed = 0;
                    if (!await FlushAsync(response, cancellationToken))
                    {
                        // The client went away: stop reading (and paying for) the provider's stream.
                        call.MarkClientDisconnected();
                        return;
                    }
                }

                raw = await reader.ReadEventAsync(cancellationToken);
            }

            output.Clear();
            processor.Complete(output);
            Write(response, output);
            await FlushAsync(response, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or TimeoutException or InvalidDataException or HttpRequestException
                                   && !context.RequestAborted.IsCancellationRequested)
        {
            // The provider broke off mid-stream. Retrying now would repeat what the client already has, so the
            // client gets an error event and a broken connection — an error its SDK raises, never a hang.
            LogStreamCut(logger, call.Provider?.Name ?? "?", call.RequestId, ex.GetType().Name);
            call.ErrorType = ex is TimeoutException ? "stream_idle_timeout" : "upstream_stream_error";
            var error = new ApiError(502, call.ErrorType, "The provider's stream ended unexpectedly: " + ex.Message);
            var dialect = call.Operation.Dialect;
            var evt = new SseEvent(dialect == ApiDialect.Anthropic ? "error" : null, System.Text.Encoding.UTF8.GetString(error.ToJson(dialect)));
            try
            {
                evt.WriteTo(response.BodyWriter);
                await response.BodyWriter.FlushAsync(CancellationToken.None);
            }
            catch (IOException)
            {
            }

            context.Abort();
        }
        finally
        {
            call.Usage = processor.Usage;
            call.StreamedTextBytes = processor.StreamedTextBytes;
        }
    }

    /// <summary>Puts events into the response pipe without sending them (Body.WriteAsync would send each on its own).</summary>
    private static int Write(HttpResponse response, List<SseEvent> events)
    {
        var written = 0;
        foreach (var evt in events)
        {
            written += evt.WriteTo(response.BodyWriter);
        }

        return written;
    }

    /// <summary>Sends what the pipe holds; false when the client is gone.</summary>
    private static async ValueTask<bool> FlushAsync(HttpResponse response, CancellationToken cancellationToken)
    {
        var flushed = await response.BodyWriter.FlushAsync(cancellationToken);
        return !flushed.IsCompleted && !flushed.IsCanceled;
    }

    /// <summary>A provider's error in the other API's format, rewritten in the client's (status and Retry-After kept).</summary>
    private async Task RelayTranslatedErrorAsync(HttpContext context, HttpResponseMessage upstream, LlmCall call, CancellationToken cancellationToken)
    {
        var body = await ReadBoundedAsync(upstream, cancellationToken);
        MarkFirstByte(call);
        context.Response.Headers.ContentLength = null;
        await ResponseTranslation.Error(body.Span, (int)upstream.StatusCode).WriteAsync(context, call.Operation.Dialect);
    }

    private async Task CopyAsync(HttpContext context, HttpResponseMessage upstream, LlmCall call, CancellationToken cancellationToken)
    {
        await using var stream = await upstream.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
            {
                MarkFirstByte(call);
                await context.Response.Body.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }
        }
        catch (IOException) when (!context.RequestAborted.IsCancellationRequested)
        {
            context.Abort();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task<ReadOnlyMemory<byte>> ReadBoundedAsync(HttpResponseMessage upstream, CancellationToken cancellationToken)
    {
        var length = upstream.Content.Headers.ContentLength;
        if (length is > MaxJsonBodyBytes)
        {
            throw new InvalidDataException("The provider's response is larger than 64 MB.");
        }

        await using var stream = await upstream.Content.ReadAsStreamAsync(cancellationToken);
        if (length is > 0 and var known)
        {
            // Read straight into the body's own array: CopyToAsync rents an 80 KB buffer per call, and under
            // concurrency the pool runs dry and hands out new ones on the large-object heap.
            var exact = new byte[known];
            await stream.ReadExactlyAsync(exact, cancellationToken);
            return exact;
        }

        using var memory = new MemoryStream(4096);
        await stream.CopyToAsync(memory, 16 * 1024, cancellationToken);

        return memory.GetBuffer().AsMemory(0, (int)memory.Length);
    }

    private void MarkFirstByte(LlmCall call)
    {
        call.TimeToFirstByteMs ??= time.GetElapsedTime(call.StartTimestamp).TotalMilliseconds;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Provider {Provider} answered request {RequestId} with a body that cannot be read: {Failure}")]
    private static partial void LogUnreadableAnswer(ILogger logger, string provider, string requestId, string failure);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stream from provider {Provider} broke off for request {RequestId}: {Failure}")]
    private static partial void LogStreamCut(ILogger logger, string provider, string requestId, string failure);
}
