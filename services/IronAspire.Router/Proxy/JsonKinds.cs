using System.Text.Json;
using System.Text.Json.Nodes;

namespace IronAspire.Router.Proxy;

/// <summary>
/// Reads of a JSON tree held to the kinds its API defines, for the translators: a value of another kind (a number
/// where a string goes, a string where an object goes) throws <see cref="JsonKindException"/> naming the field, which
/// the caller answers with a clear error — a 400 for the client's request, a 502 for a provider's answer — instead of
/// the tree's own exception escaping as a 500.
/// </summary>
public static class JsonKinds
{
    /// <summary>The member <paramref name="name"/> of <paramref name="node"/>, which must be an object (or missing) at <paramref name="path"/>.</summary>
    public static JsonNode? Member(this JsonNode? node, string name, string path) => node switch
    {
        null => null,
        JsonObject obj => obj[name],
        _ => throw new JsonKindException(path, "an object"),
    };

    /// <summary>The string at <paramref name="path"/>; null when it is missing or null.</summary>
    public static string? Text(this JsonNode? node, string path) => node switch
    {
        null => null,
        JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
        _ => throw new JsonKindException(path, "a string"),
    };
}

/// <summary>A field of a JSON body is not of the kind its API defines.</summary>
public sealed class JsonKindException(string field, string expected) : Exception($"'{field}' must be {expected}.")
{
    public string Field { get; } = field;
}
