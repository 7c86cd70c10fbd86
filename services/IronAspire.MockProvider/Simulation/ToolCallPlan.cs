using System.Buffers;
using System.Text;
using System.Text.Json;

namespace IronAspire.MockProvider.Simulation;

/// <summary>
/// A tool call the simulated model makes instead of a text reply, with arguments filled in from the tool's JSON schema.
/// </summary>
public sealed record ToolCallPlan(string Id, string Name, string Arguments)
{
    private const int ArgumentPieceLength = 8;

    /// <summary>The arguments in the small pieces a streamed tool call sends them in (as the providers do).</summary>
    public IEnumerable<ReadOnlyMemory<char>> ArgumentPieces()
    {
        for (var start = 0; start < Arguments.Length; start += ArgumentPieceLength)
        {
            yield return Arguments.AsMemory(start, Math.Min(ArgumentPieceLength, Arguments.Length - start));
        }
    }

    /// <summary>Output tokens of the call (its name and arguments, plus framing), capped by the max.</summary>
    public int OutputTokens(int maxTokens) =>
        Math.Min(maxTokens, TokenCount.PerMessage + TokenCount.Of(Name) + TokenCount.Of(Arguments));

    /// <summary>
    /// A call is made when tools are offered and the client forces one (OpenAI <c>tool_choice</c> "required" or a
    /// named function; Anthropic <c>{"type":"any"}</c> or <c>{"type":"tool"}</c>), or, unless <c>tool_choice</c> is
    /// "none", when the last user message says "call &lt;tool name&gt;".
    /// </summary>
    public static ToolCallPlan? For(JsonElement root, ProviderEndpoint endpoint)
    {
        if (!root.TryGetProperty("tools"u8, out var tools) || tools.ValueKind != JsonValueKind.Array || tools.GetArrayLength() == 0)
        {
            return null;
        }

        string? forced = null;
        var allowed = true;
        if (root.TryGetProperty("tool_choice"u8, out var choice))
        {
            if (choice.ValueKind == JsonValueKind.String)
            {
                allowed = !choice.ValueEquals("none"u8);
                if (choice.ValueEquals("required"u8) || choice.ValueEquals("any"u8))
                {
                    forced = ToolName(tools[0]);
                }
            }
            else if (choice.ValueKind == JsonValueKind.Object)
            {
                var type = choice.TryGetProperty("type"u8, out var t) ? t : default;
                allowed = type.ValueKind != JsonValueKind.String || !type.ValueEquals("none"u8);
                if (type.ValueKind == JsonValueKind.String && type.ValueEquals("any"u8))
                {
                    forced = ToolName(tools[0]);
                }
                else if (choice.TryGetProperty("function"u8, out var function) && function.TryGetProperty("name"u8, out var fn))
                {
                    forced = fn.GetString();
                }
                else if (choice.TryGetProperty("name"u8, out var name))
                {
                    forced = name.GetString();
                }
            }
        }

        var chosen = forced;
        if (chosen is null && allowed)
        {
            var text = RequestText.LastUserText(root);
            foreach (var tool in tools.EnumerateArray())
            {
                if (ToolName(tool) is { } name && text.Contains("call " + name, StringComparison.OrdinalIgnoreCase))
                {
                    chosen = name;
                    break;
                }
            }
        }

        if (chosen is null)
        {
            return null;
        }

        var schema = default(JsonElement);
        foreach (var tool in tools.EnumerateArray())
        {
            if (ToolName(tool) == chosen)
            {
                schema = Schema(tool);
                break;
            }
        }

        var prefix = endpoint == ProviderEndpoint.Messages ? "toolu_" : "call_";
        return new ToolCallPlan(prefix + Guid.NewGuid().ToString("N")[..24], chosen, SampleArguments(schema));
    }

    /// <summary>OpenAI chat tools nest the function (<c>function.name</c>); Responses and Anthropic tools do not.</summary>
    private static string? ToolName(JsonElement tool)
    {
        if (tool.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var holder = tool.TryGetProperty("function"u8, out var function) ? function : tool;
        return holder.TryGetProperty("name"u8, out var name) && name.ValueKind == JsonValueKind.String ? name.GetString() : null;
    }

    private static JsonElement Schema(JsonElement tool)
    {
        var holder = tool.TryGetProperty("function"u8, out var function) ? function : tool;
        return holder.TryGetProperty("parameters"u8, out var parameters) ? parameters
            : holder.TryGetProperty("input_schema"u8, out var inputSchema) ? inputSchema
            : default;
    }

    /// <summary>An argument object that satisfies the schema's top-level properties with plausible values.</summary>
    private static string SampleArguments(JsonElement schema)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer, Wire.JsonWire.Options))
        {
            writer.WriteStartObject();
            if (schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("properties"u8, out var properties) && properties.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in properties.EnumerateObject())
                {
                    writer.WritePropertyName(property.Name);
                    WriteSample(writer, property.Name, property.Value);
                }
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteSample(Utf8JsonWriter writer, string name, JsonElement schema)
    {
        if (schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("enum"u8, out var values) && values.ValueKind == JsonValueKind.Array && values.GetArrayLength() > 0)
        {
            values[0].WriteTo(writer);
            return;
        }

        var type = schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("type"u8, out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : "string";
        switch (type)
        {
            case "integer" or "number":
                writer.WriteNumberValue(1);
                break;
            case "boolean":
                writer.WriteBooleanValue(true);
                break;
            case "array":
                writer.WriteStartArray();
                writer.WriteEndArray();
                break;
            case "object":
                writer.WriteStartObject();
                writer.WriteEndObject();
                break;
            default:
                writer.WriteStringValue(
                    name.Contains("location", StringComparison.OrdinalIgnoreCase) || name.Contains("city", StringComparison.OrdinalIgnoreCase)
                        ? "Paris"
                        : "example");
                break;
        }
    }
}
