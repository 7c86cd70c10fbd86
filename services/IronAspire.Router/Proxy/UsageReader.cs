using System.Text.Json;
using System.Text.Json.Nodes;

namespace IronAspire.Router.Proxy;

/// <summary>Reads token usage from the providers' usage objects (OpenAI chat/embeddings, OpenAI Responses, Anthropic).</summary>
public static class UsageReader
{
    /// <summary>Reads a usage object in any of the three shapes; returns null when it is not one.</summary>
    public static TokenUsage? Read(JsonNode? usage)
    {
        if (usage is not JsonObject u)
        {
            return null;
        }

        // OpenAI chat completions and embeddings. OpenAI reports no cache writes; gateways serving Claude in this shape
        // (LiteLLM, and IronAspire's own translation) name them as cache_creation_input_tokens, counted in prompt_tokens.
        if (u.ContainsKey("prompt_tokens"))
        {
            return new TokenUsage(
                Long(u["prompt_tokens"]),
                Long(u["prompt_tokens_details"].Field("cached_tokens")),
                Long(u["completion_tokens"]),
                Long(u["prompt_tokens_details"].Field("cache_creation_input_tokens")) + Long(u["cache_creation_input_tokens"]));
        }

        // OpenAI Responses API and Anthropic share input_tokens/output_tokens.
        if (u.ContainsKey("input_tokens") || u.ContainsKey("output_tokens"))
        {
            // Anthropic reports cache reads and cache writes beside (not inside) input_tokens.
            var cacheRead = Long(u["cache_read_input_tokens"]);
            var cacheWrite = Long(u["cache_creation_input_tokens"]);
            var cachedOpenAI = Long(u["input_tokens_details"].Field("cached_tokens"));
            return new TokenUsage(
                Long(u["input_tokens"]) + cacheRead + cacheWrite,
                cacheRead + cachedOpenAI,
                Long(u["output_tokens"]),
                cacheWrite);
        }

        return null;
    }

    public static TokenUsage? ReadFromBody(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            // Only the top-level "usage" is parsed into a tree; the rest of the body is skipped.
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isUsage = reader.ValueTextEquals("usage"u8);
                reader.Read();
                if (isUsage)
                {
                    return Read(JsonNode.Parse(ref reader));
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
        }

        return null;
    }

    private static long Long(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<long>(out var n) ? n : 0;
}
