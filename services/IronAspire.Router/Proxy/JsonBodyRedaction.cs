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

    /// <summary>Rewrites the model's text in a non-streamed response of any of the APIs. Returns true when anything changed.</summary>
    public static bool RewriteResponseTexts(JsonObject root, Func<string, string> rewrite)
    {
        var changed = false;
        if (root["choices"] is JsonArray choices)
        {
            foreach (var choice in choices)
            {
                if (choice?["message"] is JsonObject message)
                {
                    changed |= RewriteString(message, "content", rewrite);
                }
            }
        }

        if (root["content"] is JsonArray blocks)
        {
            foreach (var block in blocks)
            {
                if (block is JsonObject b && b["type"]?.GetValue<string>() == "text")
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
                if (item?["content"] is JsonArray parts)
                {
                    foreach (var part in parts)
                    {
                        if (part is JsonObject p && p["type"]?.GetValue<string>() == "output_text")
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
