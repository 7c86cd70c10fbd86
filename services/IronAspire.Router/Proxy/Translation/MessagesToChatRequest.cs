using System.Text.Json;
using System.Text.Json.Nodes;
using IronAspire.Router.Errors;

namespace IronAspire.Router.Proxy.Translation;

/// <summary>
/// An Anthropic Messages request body rewritten as an OpenAI Chat Completions request (docs/router.md, "Translation").
/// Fields with no OpenAI equivalent that do not change the answer are dropped; fields that would change it silently
/// are refused with a 400 naming them.
/// </summary>
public static class MessagesToChatRequest
{
    /// <summary>Translated, or accepted and dropped (no OpenAI equivalent, and the answer does not depend on them).</summary>
    private static readonly HashSet<string> Known =
    [
        "model", "max_tokens", "messages", "system", "stream", "temperature", "top_p", "stop_sequences", "tools",
        "tool_choice", "metadata", "service_tier",
    ];

    /// <summary>OpenAI accepts at most four stop sequences.</summary>
    private const int MaxStopSequences = 4;

    public static (JsonObject? Body, ApiError? Refusal) Translate(JsonObject messages, string model, int maxTokens)
    {
        foreach (var (name, value) in messages)
        {
            var why = name switch
            {
                "top_k" => IsSet(value) ? "OpenAI models have no top_k sampling" : null,
                "thinking" => value.Member("type", "thinking").Text("thinking.type") is null or "disabled" ? null : "extended thinking has no Chat Completions equivalent",
                "stop_sequences" => value is JsonArray { Count: > MaxStopSequences } ? $"OpenAI accepts at most {MaxStopSequences} stop sequences" : null,
                _ when Known.Contains(name) => null,
                _ => IsSet(value) ? "it is not a field the Router can translate" : null,
            };
            if (why is not null)
            {
                return (null, Refuse(name, why));
            }
        }

        var body = new JsonObject { ["model"] = model, ["max_completion_tokens"] = maxTokens };
        var chatMessages = new JsonArray();
        if (SystemText(messages["system"]) is { Length: > 0 } system)
        {
            chatMessages.Add(new JsonObject { ["role"] = "system", ["content"] = system });
        }

        if (messages["messages"] is not JsonArray turns)
        {
            return (null, ApiError.InvalidRequest("messages: Field required", "messages"));
        }

        foreach (var turn in turns)
        {
            var content = turn.Member("content", "messages[]");
            var error = turn.Member("role", "messages[]").Text("messages[].role") == "assistant"
                ? AddAssistant(chatMessages, content)
                : AddUser(chatMessages, content);
            if (error is not null)
            {
                return (null, error);
            }
        }

        body["messages"] = chatMessages;
        if (messages["stream"]?.GetValueKind() == JsonValueKind.True)
        {
            body["stream"] = true;
            body["stream_options"] = new JsonObject { ["include_usage"] = true };
        }

        foreach (var field in (ReadOnlySpan<string>)["temperature", "top_p"])
        {
            if (messages[field] is JsonValue v && v.GetValueKind() == JsonValueKind.Number)
            {
                body[field] = v.DeepClone();
            }
        }

        switch (messages["stop_sequences"])
        {
            case JsonArray { Count: > 0 } stops:
                body["stop"] = stops.DeepClone();
                break;
            case JsonValue:
                throw new JsonKindException("stop_sequences", "an array of strings");
        }

        if (messages["metadata"].Member("user_id", "metadata").Text("metadata.user_id") is { } user)
        {
            body["user"] = user;
        }

        if (messages["tools"] is JsonArray tools)
        {
            var converted = new JsonArray();
            foreach (var tool in tools)
            {
                if (tool is not JsonObject t)
                {
                    throw new JsonKindException("tools[]", "an object");
                }

                if (t["type"].Text("tools[].type") is { } type && type != "custom")
                {
                    return (null, Refuse("tools", $"the server tool '{type}' has no Chat Completions equivalent"));
                }

                var function = new JsonObject { ["name"] = t["name"].Text("tools[].name") };
                if (t["description"] is { } description)
                {
                    function["description"] = description.DeepClone();
                }

                function["parameters"] = t["input_schema"]?.DeepClone() ?? new JsonObject { ["type"] = "object" };
                converted.Add(new JsonObject { ["type"] = "function", ["function"] = function });
            }

            body["tools"] = converted;
        }

        if (messages["tool_choice"] is { } toolChoice)
        {
            var choice = toolChoice as JsonObject ?? throw new JsonKindException("tool_choice", "an object");
            body["tool_choice"] = choice["type"].Text("tool_choice.type") switch
            {
                "any" => "required",
                "none" => "none",
                "tool" => new JsonObject { ["type"] = "function", ["function"] = new JsonObject { ["name"] = choice["name"]?.DeepClone() } },
                _ => "auto",
            };
            if (choice["disable_parallel_tool_use"]?.GetValueKind() == JsonValueKind.True && body["tools"] is not null)
            {
                body["parallel_tool_calls"] = false;
            }
        }

        return (body, null);
    }

    private static ApiError Refuse(string field, string why) =>
        ApiError.InvalidRequest($"'{field}' cannot be sent to this model, which is served through the OpenAI Chat Completions API: {why}.", field);

    private static bool IsSet(JsonNode? value) => value is not null && value.GetValueKind() != JsonValueKind.Null;

    private static string SystemText(JsonNode? system) => system switch
    {
        null => "",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonArray blocks => string.Join("\n\n", blocks.Select(b => b.Member("text", "system[]").Text("system[].text")).OfType<string>()),
        _ => throw new JsonKindException("system", "a string or an array of text blocks"),
    };

    /// <summary>An assistant turn: its text as content, its tool_use blocks as tool_calls; thinking blocks are dropped.</summary>
    private static ApiError? AddAssistant(JsonArray chatMessages, JsonNode? content)
    {
        var message = new JsonObject { ["role"] = "assistant" };
        if (content is JsonValue v && v.GetValueKind() == JsonValueKind.String)
        {
            message["content"] = v.GetValue<string>();
            chatMessages.Add(message);
            return null;
        }

        var (text, calls, other) = ResponseTranslation.AssistantContent(content, "messages[].content");
        if (other is not null)
        {
            return Refuse("messages", $"an assistant '{other}' block has no Chat Completions equivalent");
        }

        message["content"] = text.Length > 0 ? text.ToString() : null;
        if (calls.Count > 0)
        {
            message["tool_calls"] = calls;
        }

        chatMessages.Add(message);
        return null;
    }

    /// <summary>A user turn: its tool results as tool messages (first, answering the previous tool calls), the rest as one user message.</summary>
    private static ApiError? AddUser(JsonArray chatMessages, JsonNode? content)
    {
        if (content is JsonValue v && v.GetValueKind() == JsonValueKind.String)
        {
            chatMessages.Add(new JsonObject { ["role"] = "user", ["content"] = v.GetValue<string>() });
            return null;
        }

        var parts = new JsonArray();
        foreach (var block in content as JsonArray ?? [])
        {
            var type = block.Member("type", "messages[].content[]").Text("messages[].content[].type");
            switch (type)
            {
                case "text":
                    parts.Add(new JsonObject { ["type"] = "text", ["text"] = block!["text"]?.DeepClone() });
                    break;
                case "image":
                    if (ImageUrl(block!["source"]) is not { } url)
                    {
                        return Refuse("messages", "only base64 and url image sources can be translated");
                    }

                    parts.Add(new JsonObject { ["type"] = "image_url", ["image_url"] = new JsonObject { ["url"] = url } });
                    break;
                case "tool_result":
                    var (result, error) = ToolResultText(block!);
                    if (error is not null)
                    {
                        return error;
                    }

                    chatMessages.Add(new JsonObject { ["role"] = "tool", ["tool_call_id"] = block!["tool_use_id"].Text("messages[].content[].tool_use_id"), ["content"] = result });
                    break;
                default:
                    return Refuse("messages", $"a user '{type}' block has no Chat Completions equivalent");
            }
        }

        if (parts.Count > 0)
        {
            chatMessages.Add(new JsonObject { ["role"] = "user", ["content"] = parts });
        }

        return null;
    }

    /// <summary>A tool result's text (OpenAI tool messages carry text only); an error result says so in its text.</summary>
    private static (string Text, ApiError? Error) ToolResultText(JsonNode block)
    {
        var text = new System.Text.StringBuilder();
        switch (block["content"])
        {
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                text.Append(v.GetValue<string>());
                break;
            case JsonArray items:
                foreach (var item in items)
                {
                    if (item.Member("type", "messages[].content[].content[]").Text("messages[].content[].content[].type") != "text")
                    {
                        return ("", Refuse("messages", "a tool result may only hold text when sent to an OpenAI model"));
                    }

                    text.Append(item!["text"].Text("messages[].content[].content[].text"));
                }

                break;
        }

        if (block["is_error"]?.GetValueKind() == JsonValueKind.True)
        {
            text.Insert(0, "Error: ");
        }

        return (text.ToString(), null);
    }

    private static string? ImageUrl(JsonNode? source) => source.Member("type", "messages[].content[].source").Text("messages[].content[].source.type") switch
    {
        "base64" => $"data:{source!["media_type"].Text("messages[].content[].source.media_type")};base64,{source["data"].Text("messages[].content[].source.data")}",
        "url" => source!["url"].Text("messages[].content[].source.url"),
        _ => null,
    };
}
