using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;

namespace IronAspire.Router.Proxy;

/// <summary>Writes a JSON string token into a buffer, for splicing a rewritten text into a provider's JSON bytes.</summary>
public static class JsonStringToken
{
    /// <summary>The string with its quotes, escaped as <see cref="System.Text.Json.Utf8JsonWriter"/> escapes by default
    /// (a writer itself asks its buffer for 4 KB at its first write, too much per spliced text).</summary>
    public static void Write(IBufferWriter<byte> output, string value)
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
