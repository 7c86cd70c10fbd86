using System.Buffers;
using System.IO.Pipelines;

namespace IronAspire.Router.Proxy;

/// <summary>Splits an upstream SSE byte stream into whole events (separated by a blank line), as they arrive.</summary>
public sealed class SseEventReader(Stream upstream, TimeSpan idleTimeout) : IAsyncDisposable
{
    private readonly PipeReader _reader = PipeReader.Create(upstream, new StreamPipeReaderOptions(bufferSize: 16 * 1024, leaveOpen: true));
    private const int MaxEventBytes = 8 * 1024 * 1024;

    /// <summary>The idle timer, one per stream (not one per event): armed while a read waits, disarmed between reads so
    /// a slow client being written to never counts as a silent provider. Linked to the token of the first read.</summary>
    private CancellationTokenSource? _idle;

    /// <summary>The event handed out last, copied out of the pipe (whose bytes are gone once read past); reused for the next
    /// event, so an event is valid until the next read. Pooled: a copy per event was a third of a stream's allocations.</summary>
    private byte[] _event = ArrayPool<byte>.Shared.Rent(4096);

    /// <summary>
    /// Returns the next event's raw bytes (without the blank line), or null at the end of the stream; valid until the
    /// next call of this or <see cref="TryReadBufferedEvent"/>.
    /// Throws <see cref="TimeoutException"/> when the provider is silent for longer than the idle timeout.
    /// </summary>
    // Pooled: the method suspends once per event the provider has not sent yet, which would otherwise allocate a state
    // machine box per event.
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<ReadOnlyMemory<byte>?> ReadEventAsync(CancellationToken cancellationToken)
    {
        if (TryReadBufferedEvent(out var ready))
        {
            return ready;
        }

        _idle ??= CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        while (true)
        {
            _idle.CancelAfter(idleTimeout);
            ReadResult result;
            try
            {
                result = await _reader.ReadAsync(_idle.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"The provider sent nothing for {idleTimeout.TotalSeconds:0.#} s in the middle of a stream.");
            }
            finally
            {
                _idle.CancelAfter(Timeout.InfiniteTimeSpan);
            }

            var buffer = result.Buffer;
            if (TryReadEvent(ref buffer, out var evt))
            {
                _reader.AdvanceTo(buffer.Start);
                return evt;
            }

            if (buffer.Length > MaxEventBytes)
            {
                throw new InvalidDataException("A server-sent event from the provider is larger than 8 MB.");
            }

            if (result.IsCompleted)
            {
                // A final event without the trailing blank line still counts.
                var rest = Keep(buffer);
                _reader.AdvanceTo(buffer.End);
                if (rest.Length == 0 || IsWhitespace(rest.Span))
                {
                    return null;
                }

                return rest;
            }

            _reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>
    /// The next event when it has already arrived whole (it came in the same read as the previous one), without
    /// waiting; false when the next event still has to come from the provider, or the stream is over.
    /// </summary>
    public bool TryReadBufferedEvent(out ReadOnlyMemory<byte> evt)
    {
        evt = default;
        if (!_reader.TryRead(out var result))
        {
            return false;
        }

        var buffer = result.Buffer;
        if (TryReadEvent(ref buffer, out evt))
        {
            _reader.AdvanceTo(buffer.Start);
            return true;
        }

        // Nothing examined: the next ReadEventAsync looks at the same bytes again, then waits for the rest.
        _reader.AdvanceTo(buffer.Start, buffer.Start);
        return false;
    }

    private bool TryReadEvent(ref ReadOnlySequence<byte> buffer, out ReadOnlyMemory<byte> evt)
    {
        var reader = new SequenceReader<byte>(buffer);
        while (reader.TryAdvanceTo((byte)'\n', advancePastDelimiter: true))
        {
            var endOfLine = reader.Position;
            if (reader.IsNext((byte)'\n', advancePast: true) || reader.IsNext("\r\n"u8, advancePast: true))
            {
                var eventBytes = buffer.Slice(0, endOfLine);
                buffer = buffer.Slice(reader.Position);
                if (IsWhitespace(eventBytes))
                {
                    reader = new SequenceReader<byte>(buffer);
                    continue;
                }

                evt = Keep(eventBytes);
                return true;
            }
        }

        evt = default;
        return false;
    }

    /// <summary>Copies an event out of the pipe into the reader's own buffer.</summary>
    private ReadOnlyMemory<byte> Keep(ReadOnlySequence<byte> bytes)
    {
        var length = (int)bytes.Length;
        if (length > _event.Length)
        {
            ArrayPool<byte>.Shared.Return(_event);
            _event = ArrayPool<byte>.Shared.Rent(length);
        }

        bytes.CopyTo(_event);
        return _event.AsMemory(0, length);
    }

    private static bool IsWhitespace(ReadOnlySequence<byte> bytes)
    {
        foreach (var segment in bytes)
        {
            if (!IsWhitespace(segment.Span))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsWhitespace(ReadOnlySpan<byte> bytes) => bytes.Trim(" \r\n\t"u8).IsEmpty;

    public async ValueTask DisposeAsync()
    {
        _idle?.Dispose();
        await _reader.CompleteAsync();
        ArrayPool<byte>.Shared.Return(_event);
        _event = [];
    }
}
