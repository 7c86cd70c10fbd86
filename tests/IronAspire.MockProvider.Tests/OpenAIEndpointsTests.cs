using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenAI.Embeddings;
using OpenAI.Responses;

namespace IronAspire.MockProvider.Tests;

/// <summary>The Responses API, embeddings and models through the official OpenAI SDK and raw HTTP.</summary>
public class OpenAIEndpointsTests(MockProviderFactory factory) : IClassFixture<MockProviderFactory>
{
    private static CreateResponseOptions Options(string text, int? maxTokens = null) => new()
    {
        Model = "gpt-4.1",
        InputItems = { ResponseItem.CreateUserMessageItem(text) },
        MaxOutputTokenCount = maxTokens,
    };

    [Fact]
    public async Task A_response_has_the_reply_as_output_text_and_usage()
    {
        var response = (await factory.OpenAI().GetResponsesClient().CreateResponseAsync(Options("Say hello", 30))).Value;

        var text = response.GetOutputText();
        Assert.StartsWith("IronAspire mock provider here.", text);
        Assert.StartsWith("resp_", response.Id);
        Assert.Equal(ResponseStatus.Completed, response.Status);
        Assert.Equal(3 + 3 + 3, response.Usage.InputTokenCount);
        Assert.Equal((text.Length + 3) / 4, response.Usage.OutputTokenCount);
        Assert.True(response.Usage.OutputTokenCount <= 30);
        Assert.Equal(response.Usage.InputTokenCount + response.Usage.OutputTokenCount, response.Usage.TotalTokenCount);
    }

    [Fact]
    public async Task A_streamed_response_sends_created_deltas_and_completed_with_usage()
    {
        var deltas = new List<string>();
        ResponseResult? completed = null;
        var created = false;
        var options = Options("Say hello", 12);
        options.StreamingEnabled = true;
        await foreach (var update in await factory.OpenAI().GetResponsesClient().CreateResponseStreamingAsync(options))
        {
            created |= update is StreamingResponseCreatedUpdate;
            if (update is StreamingResponseOutputTextDeltaUpdate delta)
            {
                deltas.Add(delta.Delta);
            }

            if (update is StreamingResponseCompletedUpdate done)
            {
                completed = done.Response;
            }
        }

        Assert.True(created);
        Assert.True(deltas.Count > 3);
        Assert.NotNull(completed);
        Assert.Equal(string.Concat(deltas), completed.GetOutputText());
        Assert.Equal((string.Concat(deltas).Length + 3) / 4, completed.Usage.OutputTokenCount);
        Assert.True(completed.Usage.OutputTokenCount <= 12);
        Assert.Equal(9, completed.Usage.InputTokenCount);
    }

    [Fact]
    public async Task The_raw_response_stream_names_each_event_and_numbers_it()
    {
        using var response = await factory.PostAsync("/v1/responses", """{"model":"gpt-4.1","input":"hi","stream":true,"max_output_tokens":8}""");
        var body = await response.Content.ReadAsStringAsync();
        var events = Bodies.EventLines(body);
        var data = Bodies.DataLines(body).Select(d => JsonNode.Parse(d)!).ToList();

        Assert.Equal("response.created", events[0]);
        Assert.Contains("response.output_text.delta", events);
        Assert.Equal("response.completed", events[^1]);
        Assert.Equal(events, data.Select(d => d["type"]!.GetValue<string>()));
        Assert.Equal(Enumerable.Range(0, data.Count), data.Select(d => d["sequence_number"]!.GetValue<int>()));
        var usage = data[^1]["response"]!["usage"]!;
        Assert.Equal(usage["input_tokens"]!.GetValue<int>() + usage["output_tokens"]!.GetValue<int>(), usage["total_tokens"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_required_function_tool_gets_a_function_call_item()
    {
        var options = Options("Weather in Paris?");
        options.Tools.Add(ResponseTool.CreateFunctionTool("get_weather", BinaryData.FromString("""{"type":"object","properties":{"location":{"type":"string"}}}"""), strictModeEnabled: false));
        options.ToolChoice = ResponseToolChoice.CreateRequiredChoice();

        var response = (await factory.OpenAI().GetResponsesClient().CreateResponseAsync(options)).Value;

        var call = Assert.IsType<FunctionCallResponseItem>(Assert.Single(response.OutputItems));
        Assert.Equal("get_weather", call.FunctionName);
        Assert.StartsWith("call_", call.CallId);
        Assert.Equal("Paris", JsonDocument.Parse(call.FunctionArguments).RootElement.GetProperty("location").GetString());
    }

    [Fact]
    public async Task Embeddings_through_the_sdk_are_unit_vectors_of_the_requested_dimensions_with_usage()
    {
        var client = factory.OpenAI().GetEmbeddingClient("text-embedding-3-small");

        var result = (await client.GenerateEmbeddingsAsync(["first text", "second text", "first text"], new EmbeddingGenerationOptions { Dimensions = 64 })).Value;

        Assert.Equal(3, result.Count);
        Assert.All(result, e => Assert.Equal(64, e.ToFloats().Length));
        Assert.All(result, e => Assert.Equal(1.0, Math.Sqrt(e.ToFloats().ToArray().Sum(v => (double)v * v)), 3));
        Assert.Equal(result[0].ToFloats().ToArray(), result[2].ToFloats().ToArray());
        Assert.NotEqual(result[0].ToFloats().ToArray(), result[1].ToFloats().ToArray());
        Assert.Equal(3 + 3 + 3, result.Usage.InputTokenCount);
        Assert.Equal(result.Usage.InputTokenCount, result.Usage.TotalTokenCount);
    }

    [Fact]
    public async Task Float_and_base64_encodings_carry_the_same_vector_and_default_dimensions_come_from_config()
    {
        using var floats = await factory.PostAsync("/v1/embeddings", """{"model":"text-embedding-3-small","input":"same text"}""");
        using var base64 = await factory.PostAsync("/v1/embeddings", """{"model":"text-embedding-3-small","input":["same text"],"encoding_format":"base64"}""");

        var floatBody = JsonNode.Parse(await floats.Content.ReadAsStringAsync())!;
        var base64Body = JsonNode.Parse(await base64.Content.ReadAsStringAsync())!;
        var vector = floatBody["data"]![0]!["embedding"]!.AsArray().Select(v => v!.GetValue<float>()).ToArray();
        var decoded = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(Convert.FromBase64String(base64Body["data"]![0]!["embedding"]!.GetValue<string>())).ToArray();

        Assert.Equal("list", floatBody["object"]!.GetValue<string>());
        Assert.Equal("embedding", floatBody["data"]![0]!["object"]!.GetValue<string>());
        Assert.Equal(256, vector.Length);
        Assert.Equal(vector, decoded);
        Assert.Equal(3, floatBody["usage"]!["prompt_tokens"]!.GetValue<int>());
    }

    [Fact]
    public async Task Embeddings_without_input_are_a_400()
    {
        using var response = await factory.PostAsync("/v1/embeddings", """{"model":"text-embedding-3-small","input":[]}""");
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("input", body["error"]!["param"]!.GetValue<string>());
    }

    [Fact]
    public async Task Models_are_listed_in_openai_format_or_anthropic_format_with_anthropic_version()
    {
        var models = (await factory.OpenAI().GetOpenAIModelClient().GetModelsAsync()).Value;
        using var anthropic = factory.Http(("anthropic-version", "2023-06-01"));
        var anthropicModels = JsonNode.Parse(await anthropic.GetStringAsync("/v1/models"))!;

        Assert.Contains(models, m => m.Id == "gpt-4o-mini");
        Assert.Equal("model", anthropicModels["data"]![0]!["type"]!.GetValue<string>());
        Assert.False(anthropicModels["has_more"]!.GetValue<bool>());
    }
}
