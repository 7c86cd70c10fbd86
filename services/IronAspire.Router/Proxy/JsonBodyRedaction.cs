using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace IronAspire.Router.Proxy;

/// <summary>
/// Finds the human text inside request and response bodies of both APIs and rewrites it in place, leaving every
/// other field as the client or provider sent it.
/// </summary>
public static class JsonBodyRedaction
{
    /// <summary>
    /// Rewrites the texts a client sends: messages[].content (string or text parts), Anthropic's system, and the
    /// Responses API's input/instructions. Returns true when anything changed.
    /// </summary>
    public static bool RewriteRequestTexts(JsonObject root, Func<string, string> rewrite)
    {
        var changed = false;
        changed |= RewriteTextTree(root, "messages", rewrite);
        changed |= RewriteTextTree(root, "system", rewrite);
        changed |= RewriteTextTree(root, "input", rewrite);
        changed |= RewriteTextTree(root, "instructions", rewrite);
        changed |= RewriteTextTree(root, "prompt", rewrite);
        return changed;
    }

    /// <summary>
    /// A Chat Completions response (choices[].message.content) read without building a tree: each text goes through
    /// <paramref name="rewrite"/> and a changed one is spliced into the provider's bytes, which are otherwise kept as
    /// they came (<paramref name="result"/> is <paramref name="body"/> when nothing changed). False for any other shape
    /// or JSON it cannot read: <see cref="RewriteResponseTexts"/> then handles the body as a tree.
    /// </summary>
    public static bool TryRewriteChatResponseTexts(ReadOnlyMemory<byte> body, Func<string, string> rewrite, out ReadOnlyMemory<byte> result)
    {
        result = body;
        var json = body.Span;
        List<JsonEdit>? changed = null;
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            var sawChoices = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                // Texts of the other APIs' shapes are rewritten by the tree path.
                if (reader.ValueTextEquals("content"u8) || reader.ValueTextEquals("output"u8))
                {
                    return false;
                }

                if (!reader.ValueTextEquals("choices"u8))
                {
                    reader.Read();
                    reader.Skip();
                    continue;
                }

                sawChoices = true;
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    reader.Skip();
                    continue;
                }

                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        reader.Skip();
                        continue;
                    }

                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        var isMessage = reader.ValueTextEquals("message"u8);
                        reader.Read();
                        if (!isMessage || reader.TokenType != JsonTokenType.StartObject)
                        {
                            reader.Skip();
                            continue;
                        }

                        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                        {
                            var isContent = reader.ValueTextEquals("content"u8);
                            reader.Read();
                            if (isContent && reader.TokenType == JsonTokenType.String)
                            {
                                var text = reader.GetString()!;
                                var safe = rewrite(text);
                                if (!ReferenceEquals(safe, text) && safe != text)
                                {
                                    (changed ??= []).Add(new JsonEdit((int)reader.TokenStartIndex, reader.ValueSpan.Length + 2, safe));
                                }
                            }
                            else
                            {
                                reader.Skip();
                            }
                        }
                    }
                }
            }

            if (!sawChoices || reader.TokenType != JsonTokenType.EndObject || reader.CurrentDepth != 0)
            {
                return false;
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // Not JSON, or text that is not valid UTF-8: the tree path decides.
            return false;
        }

        if (changed is null)
        {
            return true;
        }

        var output = new ArrayBufferWriter<byte>(json.Length + 64);
        JsonSplice.Apply(json, changed, output);
        result = output.WrittenMemory;
        return true;
    }

    /// <summary>Rewrites the model's text in a non-streamed response of any of the APIs. Returns true when anything changed.</summary>
    public static bool RewriteResponseTexts(JsonObject root, Func<string, string> rewrite)
    {
        var changed = false;
        if (root["choices"] is JsonArray choices)
        {
            foreach (var choice in choices)
            {
                if (choice.Field("message") is JsonObject message)
                {
                    changed |= RewriteString(message, "content", rewrite);
                }
            }
        }

        if (root["content"] is JsonArray blocks)
        {
            foreach (var block in blocks)
            {
                if (block is JsonObject b && b["type"].AsString() == "text")
                {
                    changed |= RewriteString(b, "text", rewrite);
                }
            }
        }

        changed |= RedactResponsesOutput(root, rewrite);
        return changed;
    }

    /// <summary>The Responses API's output[].content[] output_text parts (also inside response.completed stream events).</summary>
    public static bool RedactResponsesOutput(JsonObject response, Func<string, string> rewrite)
    {
        var changed = false;
        if (response["output"] is JsonArray output)
        {
            foreach (var item in output)
            {
                if (item.Field("content") is JsonArray parts)
                {
                    foreach (var part in parts)
                    {
                        if (part is JsonObject p && p["type"].AsString() == "output_text")
                        {
                            changed |= RewriteString(p, "text", rewrite);
                        }
                    }
                }
            }
        }

        return changed;
    }

    /// <summary>Every string under a message tree that is prose: plain string contents and the text of text parts.</summary>
    private static bool RewriteTextTree(JsonObject parent, string property, Func<string, string> rewrite)
    {
        var node = parent[property];
        if (node is JsonValue value && value.GetValueKind() == JsonValueKind.String)
        {
            return RewriteString(parent, property, rewrite);
        }

        var changed = false;
        if (node is JsonArray array)
        {
            for (var i = 0; i < array.Count; i++)
            {
                switch (array[i])
                {
                    case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                        var text = v.GetValue<string>();
                        var rewritten = rewrite(text);
                        if (rewritten != text)
                        {
                            array[i] = rewritten;
                            changed = true;
                        }

                        break;
                    case JsonObject obj:
                        changed |= RewriteMessagePart(obj, rewrite);
                        break;
                }
            }
        }
        else if (node is JsonObject obj)
        {
            changed |= RewriteMessagePart(obj, rewrite);
        }

        return changed;
    }

    private static bool RewriteMessagePart(JsonObject part, Func<string, string> rewrite)
    {
        var changed = false;
        // A message ({role, content}) or a content part ({type:"text"|"input_text", text}).
        changed |= RewriteTextTree(part, "content", rewrite);
        if (part["type"] is JsonValue type && type.GetValueKind() == JsonValueKind.String
            && type.GetValue<string>() is "text" or "input_text" or "output_text")
        {
            changed |= RewriteString(part, "text", rewrite);
        }

        return changed;
    }

    private static bool RewriteString(JsonObject parent, string property, Func<string, string> rewrite)
    {
        if (parent[property] is JsonValue value && value.GetValueKind() == JsonValueKind.String)
        {
            var text = value.GetValue<string>();
            var rewritten = rewrite(text);
            if (rewritten != text)
            {
                parent[property] = rewritten;
                return true;
            }
        }

        return false;
    }
}
