using System.Text.Json.Nodes;
using IronAspire.Router.Errors;
using IronAspire.Router.Providers;

namespace IronAspire.Router.Tests;

public class ApiErrorTests
{
    [Fact]
    public void OpenAI_format_has_message_type_code_and_param()
    {
        var json = JsonNode.Parse(ApiError.InvalidRequest("bad", "model").ToJson(ApiDialect.OpenAI))!;

        Assert.Equal("bad", json["error"]!["message"]!.GetValue<string>());
        Assert.Equal("invalid_request_error", json["error"]!["type"]!.GetValue<string>());
        Assert.Equal("invalid_request_error", json["error"]!["code"]!.GetValue<string>());
        Assert.Equal("model", json["error"]!["param"]!.GetValue<string>());
    }

    [Fact]
    public void Anthropic_format_is_a_typed_error_object()
    {
        var json = JsonNode.Parse(ApiError.Unauthorized().ToJson(ApiDialect.Anthropic))!;

        Assert.Equal("error", json["type"]!.GetValue<string>());
        Assert.Equal("authentication_error", json["error"]!["type"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(json["error"]!["message"]!.GetValue<string>()));
    }

    [Fact]
    public void Budget_refusals_keep_their_code_in_both_formats()
    {
        var error = new ApiError(402, "budget_exceeded", "spent 1 of 1");

        Assert.Equal("budget_exceeded", JsonNode.Parse(error.ToJson(ApiDialect.OpenAI))!["error"]!["code"]!.GetValue<string>());
        Assert.Equal("budget_exceeded", JsonNode.Parse(error.ToJson(ApiDialect.Anthropic))!["error"]!["type"]!.GetValue<string>());
    }
}
