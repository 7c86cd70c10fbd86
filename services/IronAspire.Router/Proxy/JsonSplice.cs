using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;

namespace IronAspire.Router.Proxy;

/// <summary>One change to a provider's JSON bytes: the token at <see cref="Start"/> (<see cref="Length"/> bytes) replaced
/// by <see cref="Text"/> as a JSON string, or cut out when <see cref="Text"/> is null.</summary>
public readonly record struct JsonEdit(int Start, int Length, string? Text);

/// <summary>
/// Rewrites a provider's JSON bytes in place of parsing them into a tree and serialising them again: everything but
/// the edited tokens goes on exactly as the provider wrote it.
/// </summary>
public static class JsonSplice
{
    private static ReadOnlySpan<byte> Whitespace => " \t\r\n"u8;

    /// <summary>Writes <paramref name="json"/> with <paramref name="edits"/> (in order, not overlapping) applied.</summary>
    public static void Apply(ReadOnlySpan<byte> json, List<JsonEdit> edits, IBufferWriter<byte> output)
    {
        var copied = 0;
        foreach (var edit in edits)
        {
            output.Write(json[copied..edit.Start]);
            if (edit.Text is { } text)
            {
                WriteString(output, text);
            }

            copied = edit.Start + edit.Length;
        }

        output.Write(json[copied..]);
    }

    /// <summary>The edit that cuts out the property from <paramref name="start"/> (its name) to <paramref name="end"/> (the
    /// end of its value), with the comma that separates it from its neighbour: the one before it, or the one after
    /// (and the spaces after that) when it is the first.</summary>
    public static JsonEdit CutProperty(ReadOnlySpan<byte> json, int start, int end)
    {
        var before = json[..start].TrimEnd(Whitespace);
        if (before is [.., (byte)','])
        {
            return new JsonEdit(before.Length - 1, end - before.Length + 1, null);
        }

        var after = json[end..].TrimStart(Whitespace);
        return after is [(byte)',', ..]
            ? new JsonEdit(start, json.Length - after[1..].TrimStart(Whitespace).Length - start, null)
            : new JsonEdit(start, end - start, null);
    }

    /// <summary>A JSON string token with its quotes, escaped as <see cref="System.Text.Json.Utf8JsonWriter"/> escapes by
    /// default (a writer itself asks its buffer for 4 KB at its first write, too much per spliced text).</summary>
    public static void WriteString(IBufferWriter<byte> output, string value)
    {
        var rented = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(value.Length));
        try
        {
            var source = rented.AsSpan(0, Encoding.UTF8.GetBytes(value, rented));
            // Escaping at most sextuples a byte (\uXXXX).
            var destination = output.GetSpan(source.Length * 6 + 2);
            destination[0] = (byte)'"';
            JavaScriptEncoder.Default.EncodeUtf8(source, destination[1..], out _, out var written);
            destination[written + 1] = (byte)'"';
            output.Advance(written + 2);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
