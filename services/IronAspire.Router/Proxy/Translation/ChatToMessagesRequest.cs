using System.Text.Json;
using System.Text.Json.Nodes;
using IronAspire.Router.Errors;

namespace IronAspire.Router.Proxy.Translation;

/// <summary>
/// An OpenAI Chat Completions request body rewritten as an Anthropic Messages request (docs/router.md, "Translation").
/// Fields with no Anthropic equivalent that do not change the answer are dropped; fields that would change it
/// silently are refused with a 400 naming them.
/// </summary>
public static class ChatToMessagesRequest
{
    /// <summary>Accepted and dropped: no Anthropic equivalent, and the answer does not depend on them.</summary>
    private static readonly HashSet<string> Dropped =
    [
        "stream_options", "store", "metadata", "service_tier", "seed", "prompt_cache_key", "safety_identifier", "n",
        "logprobs", "presence_penalty", "frequency_penalty", "parallel_tool_calls", "max_completion_tokens", "max_tokens",
        "model", "messages", "stream", "tools", "tool_choice", "stop", "temperature", "top_p", "user",
    ];

    public static (JsonObject? Body, ApiError? Refusal) Translate(JsonObject chat, string model, int maxTokens)
    {
        if (Refused(chat) is { } refusal)
        {
            return (null, refusal);
        }

        var body = new JsonObject { ["model"] = model, ["max_tokens"] = maxTokens };
        var (system, messages, messageError) = Messages(chat["messages"]);
        if (messageError is not null)
        {
            return (null, messageError);
        }

        if (system.Count > 0)
        {
            body["system"] = system;
        }

        body["messages"] = messages;
        if (chat["stream"] is { } stream)
        {
            body["stream"] = stream.DeepClone();
        }

        if (Scalar(chat, "temperature") is { } temperature)
        {
            if (temperature.GetValue<double>() > 1)
            {
                return (null, Refuse("temperature", "Anthropic models accept a temperature from 0 to 1; a higher one cannot be honoured"));
            }

            body["temperature"] = temperature.DeepClone();
        }

        if (Scalar(chat, "top_p") is { } topP)
        {
            body["top_p"] = topP.DeepClone();
        }

        switch (chat["stop"])
        {
            case JsonValue one when one.GetValueKind() == JsonValueKind.String:
                body["stop_sequences"] = new JsonArray(one.GetValue<string>());
                break;
            case JsonArray many:
                body["stop_sequences"] = many.DeepClone();
                break;
            case JsonValue:
                throw new JsonKindException("stop", "a string or an array of strings");
        }

        if (chat["user"].Text("user") is { } user)
        {
            body["metadata"] = new JsonObject { ["user_id"] = user };
        }

        if (chat["tools"] is JsonArray tools)
        {
            var converted = new JsonArray();
            foreach (var tool in tools)
            {
                if (tool.Member("type", "tools[]").Text("tools[].type") != "function" || tool!["function"] is not JsonObject function)
                {
                    return (null, Refuse("tools", "only function tools can be translated"));
                }

                var anthropicTool = new JsonObject
                {
                    ["name"] = function["name"].Text("tools[].function.name"),
                    ["input_schema"] = function["parameters"]?.DeepClone() ?? new JsonObject { ["type"] = "object" },
                };
                if (function["description"] is { } description)
                {
                    anthropicTool["description"] = description.DeepClone();
                }

                converted.Add(anthropicTool);
            }

            body["tools"] = converted;
        }

        var toolChoice = ToolChoice(chat["tool_choice"]);
        if (chat["parallel_tool_calls"]?.GetValueKind() == JsonValueKind.False && chat["tools"] is JsonArray { Count: > 0 })
        {
            toolChoice ??= new JsonObject { ["type"] = "auto" };
            if (toolChoice["type"]?.GetValue<string>() != "none")
            {
                toolChoice["disable_parallel_tool_use"] = true;
            }
        }

        if (toolChoice is not null)
        {
            body["tool_choice"] = toolChoice;
        }

        return (body, null);
    }

    /// <summary>Fields with no Anthropic equivalent that change the answer whenever they are set.</summary>
    private static readonly HashSet<string> NoEquivalent =
        ["audio", "prediction", "web_search_options", "functions", "function_call", "reasoning_effort", "verbosity"];

    /// <summary>The first field the translation cannot honour, as a 400; null when every field can be translated or dropped.</summary>
    private static ApiError? Refused(JsonObject chat)
    {
        foreach (var (name, value) in chat)
        {
            var why = name switch
            {
                "n" => IsNumberOtherThan(value, 1) ? "Anthropic returns one answer per call" : null,
                "logprobs" => value?.GetValueKind() == JsonValueKind.True ? "Anthropic does not return log probabilities" : null,
                "top_logprobs" => IsSet(value) ? "Anthropic does not return log probabilities" : null,
                "presence_penalty" or "frequency_penalty" => IsNumberOtherThan(value, 0) ? "Anthropic has no repetition penalties" : null,
                "logit_bias" => value is JsonObject { Count: > 0 } ? "Anthropic cannot bias tokens" : null,
                "response_format" => value.Member("type", "response_format").Text("response_format.type") is null or "text" ? null : "structured output formats are not translated",
                "modalities" => value is JsonArray modalities && modalities.Any(m => m.Text("modalities[]") != "text") ? "Anthropic answers in text only" : null,
                _ when NoEquivalent.Contains(name) => IsSet(value) ? "it has no Anthropic equivalent" : null,
                _ when Dropped.Contains(name) => null,
                _ => "it is not a field the Router can translate",
            };
            if (why is not null)
            {
                return Refuse(name, why);
            }
        }

        return null;
    }

    private static bool IsSet(JsonNode? value) => value is not null && value.GetValueKind() != JsonValueKind.Null;

    private static bool IsNumberOtherThan(JsonNode? value, double expected) =>
        value is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.GetValue<double>() != expected;

    private static ApiError Refuse(string field, string why) =>
        ApiError.InvalidRequest($"'{field}' cannot be sent to this model, which is served through the Anthropic Messages API: {why}.", field);

    private static JsonValue? Scalar(JsonObject obj, string name) =>
        obj[name] is JsonValue v && v.GetValueKind() == JsonValueKind.Number ? v : null;

    private static JsonObject? ToolChoice(JsonNode? choice) => choice switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>() switch
        {
            "none" => new JsonObject { ["type"] = "none" },
            "required" => new JsonObject { ["type"] = "any" },
            _ => new JsonObject { ["type"] = "auto" },
        },
        JsonObject o when o["function"].Member("name", "tool_choice.function").Text("tool_choice.function.name") is { } name =>
            new JsonObject { ["type"] = "tool", ["name"] = name },
        JsonObject => null,
        null => null,
        _ => throw new JsonKindException("tool_choice", "a string or an object"),
    };

    /// <summary>System and developer messages become the system prompt; tool results become user turns; consecutive turns of one role are merged.</summary>
    private static (JsonArray System, JsonArray Messages, ApiError? Error) Messages(JsonNode? node)
    {
        var system = new JsonArray();
        var messages = new JsonArray();
        if (node is not JsonArray chatMessages)
        {
            return (system, messages, ApiError.InvalidRequest("'messages' must be an array.", "messages"));
        }

        foreach (var item in chatMessages)
        {
            if (item is not JsonObject message)
            {
                return (system, messages, ApiError.InvalidRequest("Each message must be an object.", "messages"));
            }

            var role = message["role"].Text("messages[].role");
            switch (role)
            {
                case "system" or "developer":
                    AddTextBlocks(system, message["content"]);
                    break;

                case "user":
                    {
                        var (blocks, error) = UserBlocks(message["content"]);
                        if (error is not null)
                        {
                            return (system, messages, error);
                        }

                        Append(messages, "user", blocks);
                        break;
                    }

                case "assistant":
                    {
                        var blocks = TextBlocks(message["content"]);
                        if (message["tool_calls"] is JsonArray calls)
                        {
                            foreach (var call in calls)
                            {
                                var function = call.Member("function", "messages[].tool_calls[]");
                                var arguments = function.Member("arguments", "messages[].tool_calls[].function")
                                    .Text("messages[].tool_calls[].function.arguments") ?? "{}";
                                JsonNode? input;
                                try
                                {
                                    // Decoded here, so held to the rules the body was (LlmRequest.Parse): no repeated
                                    // keys, no NUL or unpaired surrogate in what the escapes decode to.
                                    input = JsonNode.Parse(arguments.Length == 0 ? "{}" : arguments, documentOptions: LlmRequest.StrictJson);
                                }
                                catch (JsonException)
                                {
                                    return (system, messages, ApiError.InvalidRequest("A tool call's 'arguments' is not valid JSON without repeated keys, which Anthropic requires.", "messages"));
                                }

                                if (input is not null && LlmRequest.FindUnfitText(input) is not null)
                                {
                                    return (system, messages, ApiError.InvalidRequest("A tool call's 'arguments' contains a NUL character or an unpaired UTF-16 surrogate.", "messages"));
                                }

                                blocks.Add(new JsonObject
                                {
                                    ["type"] = "tool_use",
                                    ["id"] = call.Member("id", "messages[].tool_calls[]").Text("messages[].tool_calls[].id"),
                                    ["name"] = function.Member("name", "messages[].tool_calls[].function").Text("messages[].tool_calls[].function.name"),
                                    ["input"] = input ?? new JsonObject(),
                                });
                            }
                        }

                        Append(messages, "assistant", blocks);
                        break;
                    }

                case "tool":
                    {
                        Append(messages, "user", [new JsonObject
                        {
                            ["type"] = "tool_result",
                            ["tool_use_id"] = message["tool_call_id"].Text("messages[].tool_call_id"),
                            ["content"] = TextBlocks(message["content"]),
                        }]);
                        break;
                    }

                default:
                    return (system, messages, Refuse("messages", $"a message with role '{role}' has no Anthropic equivalent"));
            }
        }

        return (system, messages, null);
    }

    /// <summary>Adds blocks as a turn of <paramref name="role"/>, merged into the previous turn when it has the same role (Anthropic alternates roles).</summary>
    private static void Append(JsonArray messages, string role, JsonArray blocks)
    {
        if (blocks.Count == 0)
        {
            return;
        }

        if (messages.Count > 0 && messages[^1] is JsonObject last && last["role"]?.GetValue<string>() == role && last["content"] is JsonArray content)
        {
            // Moved, not copied: a node has one parent.
            foreach (var block in blocks.ToArray())
            {
                blocks.Remove(block);
                content.Add(block);
            }

            return;
        }

        messages.Add(new JsonObject { ["role"] = role, ["content"] = blocks });
    }

    private static (JsonArray Blocks, ApiError? Error) UserBlocks(JsonNode? content)
    {
        var blocks = new JsonArray();
        if (content is JsonValue value && value.GetValueKind() == JsonValueKind.String)
        {
            blocks.Add(new JsonObject { ["type"] = "text", ["text"] = value.GetValue<string>() });
            return (blocks, null);
        }

        if (content is not JsonArray parts)
        {
            return (blocks, null);
        }

        foreach (var part in parts)
        {
            var type = part.Member("type", "messages[].content[]").Text("messages[].content[].type");
            switch (type)
            {
                case "text":
                    blocks.Add(new JsonObject { ["type"] = "text", ["text"] = part!["text"]?.DeepClone() });
                    break;
                case "image_url":
                    var url = part!["image_url"].Member("url", "messages[].content[].image_url").Text("messages[].content[].image_url.url") ?? "";
                    blocks.Add(new JsonObject { ["type"] = "image", ["source"] = ImageSource(url) });
                    break;
                default:
                    return (blocks, Refuse("messages", $"a '{type}' content part has no Anthropic equivalent"));
            }
        }

        return (blocks, null);
    }

    /// <summary>A data: URL becomes a base64 source; any other URL a url source (Anthropic fetches it).</summary>
    private static JsonObject ImageSource(string url)
    {
        if (url.StartsWith("data:", StringComparison.OrdinalIgnoreCase) && url.IndexOf(";base64,", StringComparison.OrdinalIgnoreCase) is var marker and > 5)
        {
            return new JsonObject
            {
                ["type"] = "base64",
                ["media_type"] = url[5..marker],
                ["data"] = url[(marker + 8)..],
            };
        }

        return new JsonObject { ["type"] = "url", ["url"] = url };
    }

    /// <summary>The texts of a content that is a string or an array of text parts, as Anthropic text blocks.</summary>
    private static JsonArray TextBlocks(JsonNode? content) => AddTextBlocks([], content);

    private static JsonArray AddTextBlocks(JsonArray blocks, JsonNode? content)
    {
        foreach (var text in Texts(content))
        {
            blocks.Add(new JsonObject { ["type"] = "text", ["text"] = text });
        }

        return blocks;
    }

    private static IEnumerable<string> Texts(JsonNode? content)
    {
        if (content is JsonValue value && value.GetValueKind() == JsonValueKind.String)
        {
            if (value.GetValue<string>() is { Length: > 0 } text)
            {
                yield return text;
            }
        }
        else if (content is JsonArray parts)
        {
            foreach (var part in parts)
            {
                if (part.Member("text", "messages[].content[]").AsString() is { Length: > 0 } text)
                {
                    yield return text;
                }
            }
        }
    }
}
