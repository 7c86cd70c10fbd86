using System.Text.Json;
using System.Text.Json.Nodes;

namespace IronAspire.Router.Proxy;

/// <summary>
/// Lenient reads of a provider's JSON document or tree: a field that is missing or of another kind reads as absent
/// (default element, null, 0) instead of throwing, so a malformed event is passed over rather than failing the stream.
/// </summary>
public static class JsonFields
{
    public static JsonElement Property(this JsonElement element, ReadOnlySpan<byte> name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) ? value : default;

    public static string? String(this JsonElement element, ReadOnlySpan<byte> name) =>
        element.Property(name) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

    public static int Int(this JsonElement element, ReadOnlySpan<byte> name) =>
        element.Property(name) is { ValueKind: JsonValueKind.Number } value && value.TryGetInt32(out var number) ? number : 0;

    /// <summary>The member <paramref name="name"/> of the node, or null when the node is missing or not an object.</summary>
    public static JsonNode? Field(this JsonNode? node, string name) => (node as JsonObject)?[name];

    /// <summary>The node's string, or null when it is missing or of another kind.</summary>
    public static string? AsString(this JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;
}
