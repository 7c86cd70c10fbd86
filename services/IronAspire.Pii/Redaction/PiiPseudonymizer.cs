using System.Security.Cryptography;
using System.Text;

namespace IronAspire.Pii.Redaction;

/// <summary>
/// Keyed pseudonyms for the <see cref="PiiRedactionStyle.Hash"/> style: the same value under the same key always gives
/// the same pseudonym (so a conversation stays coherent), and without the key it cannot be reversed or guessed by
/// hashing candidate values.
/// </summary>
public sealed class PiiPseudonymizer
{
    private const int HexChars = 12;
    private readonly byte[] _key;

    public PiiPseudonymizer(ReadOnlySpan<byte> key)
    {
        if (key.Length < 16)
        {
            throw new ArgumentException("A pseudonym key needs at least 16 bytes.", nameof(key));
        }

        _key = key.ToArray();
    }

    /// <summary>A key that lives as long as the process: pseudonyms are stable only within it.</summary>
    public static PiiPseudonymizer Ephemeral() => new(RandomNumberGenerator.GetBytes(32));

    public static PiiPseudonymizer FromSecret(string secret) => new(Encoding.UTF8.GetBytes(secret));

    public string Pseudonym(string type, ReadOnlySpan<char> value)
    {
        var byteCount = Encoding.UTF8.GetByteCount(value);
        var bytes = byteCount <= 512 ? stackalloc byte[byteCount] : new byte[byteCount];
        Encoding.UTF8.GetBytes(value, bytes);
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(_key, bytes, mac);
        return string.Create(type.Length + HexChars + 3, (type, mac: Convert.ToHexStringLower(mac[..(HexChars / 2)])), static (span, state) =>
        {
            span[0] = '[';
            state.type.CopyTo(span[1..]);
            span[state.type.Length + 1] = ':';
            state.mac.CopyTo(span[(state.type.Length + 2)..]);
            span[^1] = ']';
        });
    }
}
