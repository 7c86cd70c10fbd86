using System.Text;
using System.Text.Json.Nodes;
using IronAspire.Router.Proxy;

namespace IronAspire.Router.Tests;

public class LlmRequestTests
{
    private static (LlmRequest? Request, Errors.ApiError? Error) Parse(string json) => LlmRequest.Parse(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void Reads_model_and_stream_flag_and_keeps_unknown_fields()
    {
        var (request, error) = Parse("""{"model":"gpt-4o","stream":true,"tools":[{"type":"function"}],"x_new_field":{"a":1}}""");

        Assert.Null(error);
        Assert.Equal("gpt-4o", request!.Model);
        Assert.True(request.Stream);
        var roundTrip = JsonNode.Parse(request.ToUtf8Bytes())!;
        Assert.Equal(1, roundTrip["x_new_field"]!["a"]!.GetValue<int>());
        Assert.Equal("function", roundTrip["tools"]![0]!["type"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("{not json", "not valid JSON")]
    [InlineData("[1,2]", "must be a JSON object")]
    [InlineData("""{"messages":[]}""", "model")]
    [InlineData("""{"model":42}""", "'model' must be a non-empty string")]
    [InlineData("""{"model":"gpt-4o","stream":"yes"}""", "'stream' must be a boolean")]
    public void Malformed_bodies_are_refused_with_a_message_saying_what_is_wrong(string body, string expected)
    {
        var (request, error) = Parse(body);

        Assert.Null(request);
        Assert.Equal(400, error!.Status);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Invalid_utf8_is_a_400_not_an_exception()
    {
        byte[] body = [.. "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\""u8, 0xC3, 0x28, .. "\"}]}"u8];

        var (request, error) = LlmRequest.Parse(body);

        Assert.Null(request);
        Assert.Equal(400, error!.Status);
    }

    [Fact]
    public void A_missing_output_cap_is_added_so_the_cost_bound_holds()
    {
        var (request, _) = Parse("""{"model":"gpt-4o","messages":[]}""");

        Assert.Null(request!.EnforceOutputCap(LlmOperation.ChatCompletions, 512));

        Assert.Equal(512, request.MaxOutputTokens);
        Assert.Equal(512, request.Root["max_completion_tokens"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("max_tokens", "chat")]
    [InlineData("max_completion_tokens", "chat")]
    [InlineData("max_tokens", "messages")]
    [InlineData("max_output_tokens", "responses")]
    public void The_clients_output_cap_is_kept(string field, string operation)
    {
        var op = operation switch { "messages" => LlmOperation.Messages, "responses" => LlmOperation.Responses, _ => LlmOperation.ChatCompletions };
        var (request, _) = Parse($$"""{"model":"m","{{field}}":77}""");

        Assert.Null(request!.EnforceOutputCap(op, 4096));

        Assert.Equal(77, request.MaxOutputTokens);
    }

    [Fact]
    public void A_negative_output_cap_is_refused()
    {
        var (request, _) = Parse("""{"model":"m","max_tokens":-5}""");

        var error = request!.EnforceOutputCap(LlmOperation.Messages, 4096);

        Assert.Equal(400, error!.Status);
        Assert.Equal("max_tokens", error.Param);
    }

    [Fact]
    public void Stream_usage_is_requested_and_remembered_as_added_by_the_router()
    {
        var (request, _) = Parse("""{"model":"gpt-4o","stream":true}""");

        request!.EnsureStreamUsage();

        Assert.True(request.UsageChunkAddedByRouter);
        Assert.True(request.Root["stream_options"]!["include_usage"]!.GetValue<bool>());
    }

    [Fact]
    public void Stream_usage_the_client_asked_for_is_not_hidden()
    {
        var (request, _) = Parse("""{"model":"gpt-4o","stream":true,"stream_options":{"include_usage":true}}""");

        request!.EnsureStreamUsage();

        Assert.False(request.UsageChunkAddedByRouter);
    }

    [Fact]
    public void Media_parts_are_counted_for_the_input_bound()
    {
        var (request, _) = Parse("""
            {"model":"gpt-4o","messages":[{"role":"user","content":[
              {"type":"text","text":"what is this"},
              {"type":"image_url","image_url":{"url":"https://x/y.png"}},
              {"type":"image_url","image_url":{"url":"https://x/z.png"}}]}]}
            """);

        Assert.Equal(2, request!.CountMediaParts());
    }
}
