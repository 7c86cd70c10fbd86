using System.Buffers;
using System.Text;
using System.Text.Json;

namespace IronAspire.Router.Proxy;

/// <summary>One server-sent event: its optional <c>event:</c> name and its <c>data:</c> payload.</summary>
/// <remarks>
/// Parsed without decoding: a single-line payload (what providers send) stays a slice of the provider's bytes until
/// something asks for it as a string (<see cref="Data"/>) — a processor that only reads it (<see cref="DataUtf8"/>)
/// and changes nothing sends the provider's bytes on, having allocated nothing for the text.
/// </remarks>
public sealed class SseEvent
{
    private string? _data;

    /// <summary>The event's bytes as the provider sent them (up to its last line break), until anything changes it;
    /// empty when there are none to send. A slice of the reader's buffer: valid until the reader's next read.</summary>
    private ReadOnlyMemory<byte> _raw;

    /// <summary>Where the single data line's payload sits in <see cref="_raw"/>'s source, while <see cref="_data"/> is not decoded.</summary>
    private ReadOnlyMemory<byte> _dataUtf8;

    public SseEvent(string? name, string data)
    {
        Name = name;
        _data = data;
    }

    private SseEvent(string? name, ReadOnlyMemory<byte> dataUtf8, ReadOnlyMemory<byte> raw)
    {
        Name = name;
        _dataUtf8 = dataUtf8;
        _raw = raw;
    }

    public string? Name { get; }

    /// <summary>An event the Router built with a one-line UTF-8 payload (a translated chunk): processors read and splice
    /// it as they do a provider's event, without decoding it.</summary>
    public static SseEvent FromUtf8(string? name, ReadOnlyMemory<byte> data) => new(name, data, default);

    public string Data
    {
        get => _data ??= Encoding.UTF8.GetString(_dataUtf8.Span);
        set
        {
            _data = value;
            _raw = default;
            _dataUtf8 = default;
        }
    }

    /// <summary>Replaces the payload with one line of UTF-8 (a JSON payload spliced by a processor), without decoding it.</summary>
    public void SetDataUtf8(byte[] data)
    {
        _data = null;
        _raw = default;
        _dataUtf8 = data;
    }

    /// <summary>The payload's UTF-8 bytes without decoding them, when the event is still as the provider sent it.</summary>
    public bool TryGetDataUtf8(out ReadOnlySpan<byte> data)
    {
        data = _dataUtf8.Span;
        return _data is null;
    }

    /// <summary>
    /// The payload as a JSON document, over the event's own bytes while it has them (the document is then valid as long
    /// as the event is); null when the payload is not JSON. The caller disposes it.
    /// </summary>
    public JsonDocument? ParseJson()
    {
        try
        {
            return _data is null ? JsonDocument.Parse(_dataUtf8) : JsonDocument.Parse(_data);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Whether the payload is exactly <paramref name="value"/> (e.g. <c>[DONE]</c>), without decoding it.</summary>
    public bool DataIs(string value) =>
        _data is { } data ? data == value : Ascii.Equals(_dataUtf8.Span, value);

    /// <summary>Parses one event as <see cref="SseEventReader"/> returns it (without the blank line that ends it). The
    /// event refers to <paramref name="raw"/> without copying it: it must be written before those bytes are reused.</summary>
    public static SseEvent Parse(ReadOnlyMemory<byte> raw)
    {
        string? name = null;
        ReadOnlyMemory<byte> single = default;
        StringBuilder? joined = null;
        var dataLines = 0;
        var rest = raw;
        while (rest.Length > 0)
        {
            var end = rest.Span.IndexOf((byte)'\n');
            var line = end < 0 ? rest : rest[..end];
            rest = end < 0 ? default : rest[(end + 1)..];
            if (line.Span is [.., (byte)'\r'])
            {
                line = line[..^1];
            }

            if (line.Span.StartsWith("event:"u8))
            {
                name = Encoding.UTF8.GetString(line.Span[6..].Trim((byte)' '));
            }
            else if (line.Span.StartsWith("data:"u8))
            {
                var value = line[5..];
                if (value.Span is [(byte)' ', ..])
                {
                    value = value[1..];
                }

                if (++dataLines == 1)
                {
                    single = value;
                }
                else
                {
                    // Several data lines (rare): joined with line breaks, as the SSE format says.
                    joined ??= new StringBuilder(Encoding.UTF8.GetString(single.Span));
                    joined.Append('\n').Append(Encoding.UTF8.GetString(value.Span));
                }
            }
        }

        // An event cut off at the end of the stream (no final line break) is rebuilt rather than passed on as it came.
        var sent = raw.Span is [.., (byte)'\n'] ? raw : default;
        if (joined is not null)
        {
            return new SseEvent(name, joined.ToString()) { _raw = sent };
        }

        return new SseEvent(name, single, sent);
    }

    /// <summary>Writes the event and the blank line that ends it; returns the bytes written. An event nothing changed
    /// goes out byte for byte as the provider sent it.</summary>
    public int WriteTo(IBufferWriter<byte> writer)
    {
        if (!_raw.IsEmpty)
        {
            // The blank line in the same line-break style as the event's own lines.
            var raw = _raw.Span;
            var blankLine = raw is [.., (byte)'\r', (byte)'\n'] ? "\r\n"u8 : "\n"u8;
            return Write(writer, raw) + Write(writer, blankLine);
        }

        var written = Name is null ? 0 : Write(writer, "event: "u8) + WriteUtf8(writer, Name) + Write(writer, "\n"u8);
        if (_data is null && _dataUtf8.Span.IndexOfAny((byte)'\n', (byte)'\r') < 0)
        {
            // A one-line payload set as bytes: written as it is, never decoded.
            return written + Write(writer, "data: "u8) + Write(writer, _dataUtf8.Span) + Write(writer, "\n\n"u8);
        }

        // A decoded payload (rebuilt or translated): encoded line by line straight into the writer.
        foreach (var line in Data.AsSpan().EnumerateLines())
        {
            written += Write(writer, "data: "u8) + WriteUtf8(writer, line) + Write(writer, "\n"u8);
        }

        return written + Write(writer, "\n"u8);
    }

    private static int Write(IBufferWriter<byte> writer, ReadOnlySpan<byte> bytes)
    {
        writer.Write(bytes);
        return bytes.Length;
    }

    private static int WriteUtf8(IBufferWriter<byte> writer, ReadOnlySpan<char> text)
    {
        var written = Encoding.UTF8.GetBytes(text, writer.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length)));
        writer.Advance(written);
        return written;
    }
}
