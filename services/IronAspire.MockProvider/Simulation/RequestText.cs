using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace IronAspire.MockProvider.Simulation;

/// <summary>Reads the text of a request body: its input token count, and the last user message for echo mode.</summary>
public static class RequestText
{
    /// <summary>
    /// Input tokens of a request: the text of every message (chat <c>messages</c>, Anthropic <c>system</c>, Responses
    /// <c>instructions</c> and <c>input</c>) at four characters a token plus framing per message, and the tool
    /// definitions. Embeddings count their inputs only. Reads string lengths from the raw JSON, so nothing is allocated.
    /// </summary>
    public static int InputTokens(JsonElement root, ProviderEndpoint endpoint)
    {
        if (endpoint == ProviderEndpoint.Embeddings)
        {
            return EmbeddingTokens(root);
        }

        long tokens = TokenCount.ReplyPriming;
        if (root.TryGetProperty("messages"u8, out var messages) && messages.ValueKind == JsonValueKind.Array)
        {
            foreach (var message in messages.EnumerateArray())
            {
                tokens += TokenCount.PerMessage + TokenCount.OfChars(Chars(message));
            }
        }

        foreach (var name in (ReadOnlySpan<string>)["system", "instructions", "input"])
        {
            if (!root.TryGetProperty(name, out var part))
            {
                continue;
            }

            if (part.ValueKind == JsonValueKind.Array && name == "input")
            {
                foreach (var item in part.EnumerateArray())
                {
                    tokens += TokenCount.PerMessage + TokenCount.OfChars(Chars(item));
                }
            }
            else if (part.ValueKind is JsonValueKind.String or JsonValueKind.Array)
            {
                tokens += TokenCount.PerMessage + TokenCount.OfChars(Chars(part));
            }
        }

        if (root.TryGetProperty("tools"u8, out var tools) && tools.ValueKind == JsonValueKind.Array)
        {
            tokens += TokenCount.OfChars(JsonMarshal.GetRawUtf8Value(tools).Length);
        }

        return (int)Math.Min(int.MaxValue, tokens);
    }

    /// <summary>The text of the last user message (content string or the text of its parts); empty when there is none.</summary>
    public static string LastUserText(JsonElement root)
    {
        JsonElement content = default;
        if (root.TryGetProperty("messages"u8, out var messages) && messages.ValueKind == JsonValueKind.Array)
        {
            content = LastUserContent(messages);
        }
        else if (root.TryGetProperty("input"u8, out var input))
        {
            content = input.ValueKind == JsonValueKind.Array ? LastUserContent(input) : input;
        }

        switch (content.ValueKind)
        {
            case JsonValueKind.String:
                return content.GetString()!;
            case JsonValueKind.Array:
                var text = new StringBuilder();
                foreach (var part in content.EnumerateArray())
                {
                    if (part.ValueKind == JsonValueKind.String)
                    {
                        text.Append(part.GetString());
                    }
                    else if (part.ValueKind == JsonValueKind.Object && part.TryGetProperty("text"u8, out var partText) && partText.ValueKind == JsonValueKind.String)
                    {
                        text.Append(partText.GetString());
                    }
                }

                return text.ToString();
            default:
                return "";
        }
    }

    /// <summary>The content of the last item with role <c>user</c>.</summary>
    private static JsonElement LastUserContent(JsonElement items)
    {
        for (var i = items.GetArrayLength() - 1; i >= 0; i--)
        {
            var item = items[i];
            if (item.ValueKind == JsonValueKind.Object
                && item.TryGetProperty("role"u8, out var role) && role.ValueEquals("user"u8)
                && item.TryGetProperty("content"u8, out var content))
            {
                return content;
            }
        }

        return default;
    }

    /// <summary>Embedding inputs: a string, strings, or token arrays (one token per number).</summary>
    private static int EmbeddingTokens(JsonElement root)
    {
        if (!root.TryGetProperty("input"u8, out var input))
        {
            return 0;
        }

        long tokens = 0;
        if (input.ValueKind != JsonValueKind.Array)
        {
            return input.ValueKind == JsonValueKind.String ? TokenCount.OfChars(Chars(input)) : 0;
        }

        foreach (var item in input.EnumerateArray())
        {
            tokens += item.ValueKind switch
            {
                JsonValueKind.String => TokenCount.OfChars(Chars(item)),
                JsonValueKind.Number => 1,
                JsonValueKind.Array => item.GetArrayLength(),
                _ => 0,
            };
        }

        return (int)Math.Min(int.MaxValue, tokens);
    }

    /// <summary>Characters of the text in an element: every string value except structural fields (role, type, ids).</summary>
    private static long Chars(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                var raw = JsonMarshal.GetRawUtf8Value(element);
                return TokenCount.JsonStringLength(raw[1..^1]);
            case JsonValueKind.Number:
                return JsonMarshal.GetRawUtf8Value(element).Length;
            case JsonValueKind.Array:
                long total = 0;
                foreach (var item in element.EnumerateArray())
                {
                    total += Chars(item);
                }

                return total;
            case JsonValueKind.Object:
                long sum = 0;
                foreach (var property in element.EnumerateObject())
                {
                    if (!IsStructural(property))
                    {
                        sum += Chars(property.Value);
                    }
                }

                return sum;
            default:
                return 0;
        }
    }

    private static bool IsStructural(JsonProperty property) =>
        property.NameEquals("role"u8) || property.NameEquals("type"u8) || property.NameEquals("id"u8)
        || property.NameEquals("tool_call_id"u8) || property.NameEquals("tool_use_id"u8) || property.NameEquals("call_id"u8)
        || property.NameEquals("cache_control"u8) || property.NameEquals("status"u8);
}
