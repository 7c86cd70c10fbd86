using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Json;
using IronAspire.MockProvider.Simulation;
using Microsoft.Extensions.Options;

namespace Microsoft.AspNetCore.Builder;

/// <summary>OpenAI's <c>POST /v1/embeddings</c>: one deterministic unit vector per input, as floats or base64.</summary>
public static class OpenAIEmbeddingsApi
{
    private const int MaxDimensions = 8192;

    public static RouteGroupBuilder MapOpenAIEmbeddingsApi(this RouteGroupBuilder api)
    {
        api.MapPost("/embeddings", Embeddings)
            .WithName("embeddings")
            .WithSummary("OpenAI embeddings (deterministic unit vectors; float or base64)");
        return api;
    }

    internal static async Task Embeddings(HttpContext context, Simulator simulator, IOptionsMonitor<MockOptions> options)
    {
        using var call = await simulator.BeginAsync(context, ProviderEndpoint.Embeddings);
        if (call is null)
        {
            return;
        }

        var root = call.Root;
        var dimensions = options.CurrentValue.EmbeddingDimensions;
        if (root.TryGetProperty("dimensions"u8, out var d) && d.ValueKind != JsonValueKind.Null)
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt32(out dimensions) || dimensions is < 1 or > MaxDimensions)
            {
                await IronAspire.MockProvider.Wire.ProviderError.WriteAsync(context, WireFormat.OpenAI, 400,
                    $"Invalid 'dimensions': expected an integer between 1 and {MaxDimensions}.", param: "dimensions");
                return;
            }
        }

        var base64 = root.TryGetProperty("encoding_format"u8, out var format) && format.ValueKind == JsonValueKind.String && format.ValueEquals("base64"u8);
        var input = root.GetProperty("input"u8);
        var vector = ArrayPool<float>.Shared.Rent(dimensions);
        try
        {
            var json = call.BeginJson();
            json.WriteStartObject();
            json.WriteString("object"u8, "list"u8);
            json.WriteStartArray("data"u8);
            // A single token array ([1,2,3]) is one input, not three.
            var single = input.ValueKind == JsonValueKind.String
                || (input.GetArrayLength() > 0 && input[0].ValueKind == JsonValueKind.Number);
            if (single)
            {
                WriteEmbedding(json, input, 0, vector.AsSpan(0, dimensions), base64);
            }
            else
            {
                var index = 0;
                foreach (var item in input.EnumerateArray())
                {
                    WriteEmbedding(json, item, index++, vector.AsSpan(0, dimensions), base64);
                }
            }

            json.WriteEndArray();
            json.WriteString("model"u8, call.Model);
            json.WriteStartObject("usage"u8);
            json.WriteNumber("prompt_tokens"u8, call.InputTokens);
            json.WriteNumber("total_tokens"u8, call.InputTokens);
            json.WriteEndObject();
            json.WriteEndObject();
            await call.EndJsonAsync();
        }
        finally
        {
            ArrayPool<float>.Shared.Return(vector);
        }
    }

    private static void WriteEmbedding(Utf8JsonWriter json, JsonElement input, int index, Span<float> vector, bool base64)
    {
        Fill(JsonMarshal.GetRawUtf8Value(input), vector);
        json.WriteStartObject();
        json.WriteString("object"u8, "embedding"u8);
        json.WriteNumber("index"u8, index);
        if (base64)
        {
            // OpenAI's base64 is the little-endian float32 array.
            json.WriteBase64String("embedding"u8, MemoryMarshal.AsBytes(vector));
        }
        else
        {
            json.WriteStartArray("embedding"u8);
            foreach (var value in vector)
            {
                json.WriteNumberValue(value);
            }

            json.WriteEndArray();
        }

        json.WriteEndObject();
    }

    /// <summary>A unit vector seeded by the input's bytes (FNV-1a, then xorshift), so equal inputs embed equally in every process.</summary>
    public static void Fill(ReadOnlySpan<byte> input, Span<float> vector)
    {
        var state = 14695981039346656037UL;
        foreach (var b in input)
        {
            state = (state ^ b) * 1099511628211UL;
        }

        if (state == 0)
        {
            state = 1;
        }

        double norm = 0;
        for (var i = 0; i < vector.Length; i++)
        {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            var value = (float)((state >> 11) * (1.0 / (1UL << 53)) * 2 - 1);
            vector[i] = value;
            norm += value * value;
        }

        var scale = norm > 0 ? (float)(1 / Math.Sqrt(norm)) : 0f;
        for (var i = 0; i < vector.Length; i++)
        {
            vector[i] *= scale;
        }
    }
}
