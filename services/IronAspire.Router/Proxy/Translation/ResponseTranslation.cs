using System.Text.Json;
using System.Text.Json.Nodes;
using IronAspire.Router.Errors;

namespace IronAspire.Router.Proxy.Translation;

/// <summary>
/// Whole (non-streamed) answers and errors of one API rewritten in the other's format, and the mappings the stream
/// translators share: stop and finish reasons, and usage in either shape.
/// </summary>
public static class ResponseTranslation
{
    /// <summary>An Anthropic <c>message</c> as an OpenAI <c>chat.completion</c>.</summary>
    public static JsonObject MessageToChatCompletion(JsonObject message, long created)
    {
        var (text, calls, _) = AssistantContent(message["content"], "content");
        var assistant = new JsonObject
        {
            ["role"] = "assistant",
            ["content"] = text.Length > 0 || calls.Count == 0 ? text.ToString() : null,
            ["refusal"] = null,
        };
        if (calls.Count > 0)
        {
            assistant["tool_calls"] = calls;
        }

        var completion = new JsonObject
        {
            ["id"] = ChatId(message["id"].Text("id")),
            ["object"] = "chat.completion",
            ["created"] = created,
            ["model"] = message["model"].Text("model"),
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = assistant,
                ["logprobs"] = null,
                ["finish_reason"] = FinishReason(message["stop_reason"].Text("stop_reason")),
            }),
        };
        if (UsageReader.Read(message["usage"]) is { } usage)
        {
            completion["usage"] = ChatUsage(usage);
        }

        return completion;
    }

    /// <summary>An OpenAI <c>chat.completion</c> (its first choice) as an Anthropic <c>message</c>.</summary>
    public static JsonObject ChatCompletionToMessage(JsonObject completion)
    {
        var choice = (completion["choices"] as JsonArray)?.FirstOrDefault();
        var assistant = choice.Member("message", "choices[0]");
        var content = new JsonArray();
        if (assistant.Member("content", "choices[0].message").Text("choices[0].message.content") is { Length: > 0 } text)
        {
            content.Add(new JsonObject { ["type"] = "text", ["text"] = text });
        }

        foreach (var call in assistant.Member("tool_calls", "choices[0].message") as JsonArray ?? [])
        {
            var function = call.Member("function", "tool_calls[]");
            content.Add(ToolUse(
                call.Member("id", "tool_calls[]").Text("tool_calls[].id"),
                function.Member("name", "tool_calls[].function").Text("tool_calls[].function.name"),
                function.Member("arguments", "tool_calls[].function").Text("tool_calls[].function.arguments")));
        }

        var message = new JsonObject
        {
            ["id"] = MessageId(completion["id"].Text("id")),
            ["type"] = "message",
            ["role"] = "assistant",
            ["model"] = completion["model"].Text("model"),
            ["content"] = content,
            ["stop_reason"] = StopReason(choice.Member("finish_reason", "choices[0]").Text("choices[0].finish_reason")),
            ["stop_sequence"] = null,
        };
        message["usage"] = AnthropicUsage(UsageReader.Read(completion["usage"]) ?? TokenUsage.None);
        return message;
    }

    /// <summary>A provider's error (in its own format) as an error in the client's: same status, its message, its code or type.</summary>
    public static ApiError Error(ReadOnlySpan<byte> body, int status)
    {
        string? message = null;
        string? code = null;
        try
        {
            if (JsonNode.Parse(body) is JsonObject root && root["error"] is JsonObject error)
            {
                message = error["message"]?.GetValue<string>();
                code = error["code"].AsString() ?? error["type"]?.GetValue<string>();
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
        }

        return new ApiError(status, code ?? "upstream_error", "The provider answered: " + (message ?? $"HTTP {status}"));
    }

    /// <summary>
    /// An Anthropic assistant's content blocks in OpenAI's terms: the text blocks joined, the tool_use blocks as
    /// tool_calls (arguments = the input as JSON), thinking blocks left out; <c>Other</c> names the first other block type.
    /// <paramref name="path"/> names the content in a <see cref="JsonKindException"/>.
    /// </summary>
    public static (System.Text.StringBuilder Text, JsonArray Calls, string? Other) AssistantContent(JsonNode? content, string path)
    {
        var text = new System.Text.StringBuilder();
        var calls = new JsonArray();
        string? other = null;
        foreach (var block in content as JsonArray ?? [])
        {
            switch (block.Member("type", path + "[]").Text(path + "[].type"))
            {
                case "text":
                    text.Append(block!["text"].Text(path + "[].text"));
                    break;
                case "tool_use":
                    calls.Add(new JsonObject
                    {
                        ["id"] = block!["id"].Text(path + "[].id"),
                        ["type"] = "function",
                        ["function"] = new JsonObject
                        {
                            ["name"] = block["name"].Text(path + "[].name"),
                            ["arguments"] = block["input"]?.ToJsonString() ?? "{}",
                        },
                    });
                    break;
                case "thinking" or "redacted_thinking":
                    break;
                case var type:
                    other ??= type ?? "(untyped)";
                    break;
            }
        }

        return (text, calls, other);
    }

    /// <summary>Anthropic stop_reason → OpenAI finish_reason.</summary>
    public static string? FinishReason(string? stopReason) => stopReason switch
    {
        null => null,
        "max_tokens" or "model_context_window_exceeded" => "length",
        "tool_use" => "tool_calls",
        "refusal" => "content_filter",
        _ => "stop",
    };

    /// <summary>OpenAI finish_reason → Anthropic stop_reason.</summary>
    public static string? StopReason(string? finishReason) => finishReason switch
    {
        null => null,
        "length" => "max_tokens",
        "tool_calls" or "function_call" => "tool_use",
        "content_filter" => "refusal",
        _ => "end_turn",
    };

    /// <summary>Usage in OpenAI's shape. Prompt tokens include cache reads and writes; writes, which OpenAI has no field for,
    /// are also named in prompt_tokens_details.cache_creation_input_tokens.</summary>
    public static JsonObject ChatUsage(TokenUsage usage) => new()
    {
        ["prompt_tokens"] = usage.InputTokens,
        ["completion_tokens"] = usage.OutputTokens,
        ["total_tokens"] = usage.InputTokens + usage.OutputTokens,
        ["prompt_tokens_details"] = new JsonObject
        {
            ["cached_tokens"] = usage.CachedInputTokens,
            ["cache_creation_input_tokens"] = usage.CacheWriteInputTokens,
        },
    };

    /// <summary>Usage in Anthropic's shape: input tokens exclude the cache reads and writes, which are named beside them.</summary>
    public static JsonObject AnthropicUsage(TokenUsage usage) => new()
    {
        ["input_tokens"] = Math.Max(0, usage.InputTokens - usage.CachedInputTokens - usage.CacheWriteInputTokens),
        ["cache_creation_input_tokens"] = usage.CacheWriteInputTokens,
        ["cache_read_input_tokens"] = usage.CachedInputTokens,
        ["output_tokens"] = usage.OutputTokens,
    };

    public static JsonObject ToolUse(string? id, string? name, string? arguments)
    {
        JsonNode input;
        try
        {
            input = JsonNode.Parse(string.IsNullOrEmpty(arguments) ? "{}" : arguments) ?? new JsonObject();
        }
        catch (JsonException)
        {
            // A model's arguments that are not JSON: kept as text rather than lost.
            input = new JsonObject { ["arguments"] = arguments };
        }

        return ToolUseBlock(id, name, input);
    }

    /// <summary>A tool_use block as Anthropic sends it; the caller is the model itself (not a server tool).</summary>
    public static JsonObject ToolUseBlock(string? id, string? name, JsonNode input) => new()
    {
        ["type"] = "tool_use",
        ["id"] = id,
        ["name"] = name,
        ["input"] = input,
        ["caller"] = new JsonObject { ["type"] = "direct" },
    };

    public static string ChatId(string? messageId) => "chatcmpl-" + (messageId ?? Guid.NewGuid().ToString("N"));

    public static string MessageId(string? completionId) => "msg_" + (completionId ?? Guid.NewGuid().ToString("N"));
}
