using System.Buffers;
using System.Text;

namespace IronAspire.Router.Proxy;

/// <summary>One server-sent event: its optional <c>event:</c> name and its <c>data:</c> payload.</summary>
public sealed class SseEvent(string? name, string data)
{
    private string _data = data;

    /// <summary>The event's bytes as the provider sent them (up to its last line break), until anything changes it.</summary>
    private byte[]? _raw;

    public string? Name { get; } = name;

    public string Data
    {
        get => _data;
        set
        {
            _data = value;
            _raw = null;
        }
    }

    /// <summary>Parses one event as <see cref="SseEventReader"/> returns it (without the blank line that ends it).</summary>
    public static SseEvent Parse(byte[] raw)
    {
        string? name = null;
        StringBuilder? data = null;
        var text = Encoding.UTF8.GetString(raw);
        foreach (var line in text.AsSpan().EnumerateLines())
        {
            if (line.StartsWith("event:"))
            {
                name = line[6..].Trim().ToString();
            }
            else if (line.StartsWith("data:"))
            {
                var value = line[5..];
                if (value.Length > 0 && value[0] == ' ')
                {
                    value = value[1..];
                }

                if (data is null)
                {
                    data = new StringBuilder(value.Length);
                }
                else
                {
                    data.Append('\n');
                }

                data.Append(value);
            }
        }

        // An event cut off at the end of the stream (no final line break) is rebuilt rather than passed on as it came.
        return new SseEvent(name, data?.ToString() ?? "") { _raw = raw is [.., (byte)'\n'] ? raw : null };
    }

    /// <summary>Writes the event and the blank line that ends it; returns the bytes written. An event nothing changed
    /// goes out byte for byte as the provider sent it.</summary>
    public int WriteTo(IBufferWriter<byte> writer)
    {
        if (_raw is not { } raw)
        {
            var bytes = ToUtf8();
            writer.Write(bytes);
            return bytes.Length;
        }

        // The blank line in the same line-break style as the event's own lines.
        var blankLine = raw is [.., (byte)'\r', (byte)'\n'] ? "\r\n"u8 : "\n"u8;
        writer.Write(raw);
        writer.Write(blankLine);
        return raw.Length + blankLine.Length;
    }

    public byte[] ToUtf8()
    {
        var builder = new StringBuilder(Data.Length + 32);
        if (Name is not null)
        {
            builder.Append("event: ").Append(Name).Append('\n');
        }

        foreach (var line in Data.AsSpan().EnumerateLines())
        {
            builder.Append("data: ").Append(line).Append('\n');
        }

        builder.Append('\n');
        return Encoding.UTF8.GetBytes(builder.ToString());
    }
}
