using System.Text.Json;
using System.Text.Json.Nodes;
using IronAspire.Router.Errors;
using IronAspire.Validation;

namespace IronAspire.Router.Proxy;

/// <summary>
/// The part of a client's request body the Router needs (model, stream flag, output cap), parsed once into a
/// mutable tree so the Router can add what the bound needs (max tokens, usage in streams) and redact messages,
/// while every other field passes through untouched.
/// </summary>
public sealed class LlmRequest
{
    private LlmRequest(JsonObject root, string model, bool stream)
    {
        Root = root;
        Model = model;
        Stream = stream;
    }

    public JsonObject Root { get; }
    public string Model { get; }
    public bool Stream { get; }

    /// <summary>True when the Router added stream_options.include_usage itself: the extra usage chunk is then hidden from the client.</summary>
    public bool UsageChunkAddedByRouter { get; private set; }

    /// <summary>The output cap in force (the client's, or the one the Router added).</summary>
    public int MaxOutputTokens { get; private set; }

    public static (LlmRequest? Request, ApiError? Error) Parse(ReadOnlyMemory<byte> body)
    {
        if (body.IsEmpty)
        {
            return (null, ApiError.InvalidRequest("The request body is empty; a JSON object is required."));
        }

        // JSON strings are only decoded when read, so a body with broken UTF-8 would otherwise pass through.
        if (!System.Text.Unicode.Utf8.IsValid(body.Span))
        {
            return (null, ApiError.InvalidRequest("The request body is not valid UTF-8."));
        }

        JsonNode? node;
        try
        {
            node = JsonNode.Parse(body.Span, documentOptions: StrictJson);
        }
        catch (JsonException ex)
        {
            // The message says where (line, byte) and what; it never echoes the body.
            return (null, ApiError.InvalidRequest($"The request body is not valid JSON: {ex.Message}"));
        }
        catch (ArgumentException ex)
        {
            return (null, ApiError.InvalidRequest($"The request body is not valid UTF-8 JSON: {ex.Message}"));
        }

        if (node is not JsonObject root)
        {
            return (null, ApiError.InvalidRequest("The request body must be a JSON object."));
        }

        if (!root.TryGetPropertyValue("model", out var modelNode) || modelNode is null)
        {
            return (null, ApiError.InvalidRequest("you must provide a model parameter", "model"));
        }

        if (modelNode.GetValueKind() != JsonValueKind.String || modelNode.GetValue<string>() is not { Length: > 0 and <= 256 } model)
        {
            return (null, ApiError.InvalidRequest("'model' must be a non-empty string.", "model"));
        }

        // The model names the price, the ledger row and the metrics: a control character would poison all three.
        if (InputText.IsUnfitForId(model))
        {
            return (null, ApiError.InvalidRequest("'model' must not contain control characters.", "model"));
        }

        if (FindUnfitText(root) is { } path)
        {
            return (null, ApiError.InvalidRequest($"The string at {path} contains a NUL character or an unpaired UTF-16 surrogate.", path));
        }

        var stream = false;
        if (root.TryGetPropertyValue("stream", out var streamNode) && streamNode is not null)
        {
            var kind = streamNode.GetValueKind();
            if (kind is not (JsonValueKind.True or JsonValueKind.False))
            {
                return (null, ApiError.InvalidRequest("'stream' must be a boolean.", "stream"));
            }

            stream = kind == JsonValueKind.True;
        }

        return (new LlmRequest(root, model, stream), null);
    }

    /// <summary>
    /// Reads the client's output cap; when there is none, applies <paramref name="defaultCap"/> and writes it into the
    /// body under the field this operation uses, so the provider cannot produce more than the budget reserved.
    /// </summary>
    public ApiError? EnforceOutputCap(LlmOperation operation, int defaultCap)
    {
        if (!operation.HasOutput)
        {
            MaxOutputTokens = 0;
            return null;
        }

        string[] fields = operation == LlmOperation.Responses ? ["max_output_tokens"]
            : operation == LlmOperation.Messages ? ["max_tokens"]
            : ["max_completion_tokens", "max_tokens"];

        foreach (var field in fields)
        {
            if (Root.TryGetPropertyValue(field, out var value) && value is not null)
            {
                if (value.GetValueKind() != JsonValueKind.Number || !value.AsValue().TryGetValue<int>(out var cap) || cap < 1)
                {
                    return ApiError.InvalidRequest($"'{field}' must be a positive integer.", field);
                }

                MaxOutputTokens = cap;
                return null;
            }
        }

        MaxOutputTokens = defaultCap;
        Root[fields[0]] = defaultCap;
        return null;
    }

    /// <summary>OpenAI chat streams report usage only when asked; the Router always asks and hides the extra chunk if the client did not.</summary>
    public void EnsureStreamUsage()
    {
        if (!Stream)
        {
            return;
        }

        if (Root["stream_options"] is JsonObject streamOptions)
        {
            if (streamOptions["include_usage"]?.GetValueKind() == JsonValueKind.True)
            {
                return;
            }

            streamOptions["include_usage"] = true;
        }
        else
        {
            Root["stream_options"] = new JsonObject { ["include_usage"] = true };
        }

        UsageChunkAddedByRouter = true;
    }

    /// <summary>Images and audio parts are priced by the provider per item, not by their bytes; counted for the input bound.</summary>
    public int CountMediaParts()
    {
        var count = 0;
        Count(Root["messages"]);
        Count(Root["input"]);
        return count;

        void Count(JsonNode? node)
        {
            switch (node)
            {
                case JsonArray array:
                    foreach (var item in array)
                    {
                        Count(item);
                    }

                    break;
                case JsonObject obj:
                    if (obj["type"] is JsonValue type && type.GetValueKind() == JsonValueKind.String
                        && type.GetValue<string>() is "image_url" or "image" or "input_image" or "input_audio" or "document" or "input_file")
                    {
                        count++;
                    }

                    Count(obj["content"]);
                    break;
            }
        }
    }

    /// <summary>
    /// How the Router parses JSON it is given (the body, and JSON inside it that translation decodes, such as a tool
    /// call's arguments): duplicate keys are refused, since the Router and the provider could otherwise read different
    /// values of one field.
    /// </summary>
    internal static readonly JsonDocumentOptions StrictJson = new() { MaxDepth = 128, AllowDuplicateProperties = false };

    /// <summary>
    /// The JSON path of the first property name or string value that can be neither stored nor serialised (a NUL, an
    /// unpaired surrogate), or null when there is none.
    /// </summary>
    internal static string? FindUnfitText(JsonNode root)
    {
        try
        {
            return FindUnfitTextIn(root);
        }
        catch (InvalidOperationException)
        {
            // System.Text.Json refuses to decode an escaped unpaired surrogate (\ud800) at all.
            return "$";
        }
    }

    private static string? FindUnfitTextIn(JsonNode root)
    {
        var pending = new Stack<(JsonNode Node, string Path)>();
        pending.Push((root, "$"));
        while (pending.TryPop(out var item))
        {
            switch (item.Node)
            {
                case JsonObject obj:
                    foreach (var (name, value) in obj)
                    {
                        var path = item.Path + "." + name;
                        if (InputText.IsUnfitForText(name))
                        {
                            return item.Path;
                        }

                        if (value is not null)
                        {
                            pending.Push((value, path));
                        }
                    }

                    break;
                case JsonArray array:
                    for (var i = 0; i < array.Count; i++)
                    {
                        if (array[i] is { } element)
                        {
                            pending.Push((element, $"{item.Path}[{i}]"));
                        }
                    }

                    break;
                case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                    if (InputText.IsUnfitForText(value.GetValue<string>()))
                    {
                        return item.Path;
                    }

                    break;
            }
        }

        return null;
    }

    public byte[] ToUtf8Bytes() => JsonSerializer.SerializeToUtf8Bytes(Root);

    /// <summary>The body as sent for <paramref name="model"/>: the client's own, or a copy naming a fallback model.</summary>
    public byte[] ToUtf8Bytes(string model)
    {
        if (model == Model)
        {
            return ToUtf8Bytes();
        }

        var copy = Root.DeepClone().AsObject();
        copy["model"] = model;
        return JsonSerializer.SerializeToUtf8Bytes(copy);
    }
}
