using System.Buffers;
using System.Diagnostics.CodeAnalysis;
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

    /// <summary>
    /// Returns the next event's raw bytes (without the blank line), or null at the end of the stream.
    /// Throws <see cref="TimeoutException"/> when the provider is silent for longer than the idle timeout.
    /// </summary>
    // Pooled: the method suspends once per event the provider has not sent yet, which would otherwise allocate a state
    // machine box per event.
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<byte[]?> ReadEventAsync(CancellationToken cancellationToken)
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
                var rest = buffer.Length > 0 ? buffer.ToArray() : null;
                _reader.AdvanceTo(buffer.End);
                return rest is { Length: > 0 } && !IsWhitespace(rest) ? rest : null;
            }

            _reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>
    /// The next event when it has already arrived whole (it came in the same read as the previous one), without
    /// waiting; false when the next event still has to come from the provider, or the stream is over.
    /// </summary>
    public bool TryReadBufferedEvent([NotNullWhen(true)] out byte[]? evt)
    {
        evt = null;
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

    private static bool TryReadEvent(ref ReadOnlySequence<byte> buffer, [NotNullWhen(true)] out byte[]? evt)
    {
        var reader = new SequenceReader<byte>(buffer);
        while (reader.TryAdvanceTo((byte)'\n', advancePastDelimiter: true))
        {
            var endOfLine = reader.Position;
            if (reader.IsNext((byte)'\n', advancePast: true) || reader.IsNext("\r\n"u8, advancePast: true))
            {
                var eventBytes = buffer.Slice(0, endOfLine).ToArray();
                buffer = buffer.Slice(reader.Position);
                if (IsWhitespace(eventBytes))
                {
                    reader = new SequenceReader<byte>(buffer);
                    continue;
                }

                evt = eventBytes;
                return true;
            }
        }

        evt = null;
        return false;
    }

    private static bool IsWhitespace(byte[] bytes) => bytes.AsSpan().Trim(" \r\n\t"u8).IsEmpty;

    public async ValueTask DisposeAsync()
    {
        _idle?.Dispose();
        await _reader.CompleteAsync();
    }
}
