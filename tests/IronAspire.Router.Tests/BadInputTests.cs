using System.Net;
using System.Text.Json.Nodes;

namespace IronAspire.Router.Tests;

/// <summary>Every kind of bad request gets a 4xx in the route's own error format, never a 500.</summary>
public class BadInputTests : IAsyncLifetime
{
    private MockProviderHost _mock = null!;
    private RouterHost _router = null!;

    public async Task InitializeAsync()
    {
        _mock = await MockProviderHost.StartAsync();
        var settings = RouterHost.OpenAIAndAnthropic(_mock.Url);

        settings["Router:MaxRequestBodyBytes"] = "65536";
        _router = await RouterHost.StartAsync(settings);
    }

    public async Task DisposeAsync()
    {
        await _router.DisposeAsync();
        await _mock.DisposeAsync();
    }

    [Theory]
    [InlineData("{\"model\":\"gpt-4o\",", 400, "not valid JSON")]
    [InlineData("{\"messages\":[]}", 400, "model")]
    [InlineData("[]", 400, "JSON object")]
    [InlineData("{\"model\":\"nobody-serves-this\",\"messages\":[]}", 404, "nobody-serves-this")]
    [InlineData("{\"model\":\"gpt-4o\",\"max_tokens\":\"many\",\"messages\":[]}", 400, "'max_tokens' must be a positive integer")]
    public async Task OpenAI_routes_answer_in_openai_format(string body, int status, string expected)
    {
        using var response = await _router.PostAsync("/v1/chat/completions", body);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Contains(expected, json["error"]!["message"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase);
        Assert.NotNull(json["error"]!["type"]);
        Assert.NotNull(json["error"]!["code"]);
        Assert.True(json["error"]!.AsObject().ContainsKey("param"));
    }

    [Fact]
    public async Task Anthropic_routes_answer_in_anthropic_format()
    {
        using var response = await _router.PostAsync("/v1/messages", "{\"max_tokens\":5}");
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("error", json["type"]!.GetValue<string>());
        Assert.Equal("invalid_request_error", json["error"]!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_wrong_content_type_is_415()
    {
        using var response = await _router.PostAsync("/v1/chat/completions", RouterHost.Chat("gpt-4o"), contentType: "text/plain");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Contains("application/json", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_body_over_the_limit_is_413_whether_or_not_its_length_is_declared()
    {
        var huge = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"" + new string('x', 100_000) + "\"}]}";
        using var declared = await _router.PostAsync("/v1/chat/completions", huge);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, declared.StatusCode);

        using var chunked = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StreamContent(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(huge))),
        };
        chunked.Content.Headers.ContentType = new("application/json");
        chunked.Headers.Authorization = new("Bearer", RouterHost.AgentKey);
        chunked.Headers.TransferEncodingChunked = true;
        using var response = await _router.Client.SendAsync(chunked);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("request_too_large", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task Invalid_utf8_is_400()
    {
        var bytes = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"a\xC3\x28\"}]}"u8.ToArray();
        bytes[^6] = 0xC3;
        bytes[^5] = 0x28;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Authorization = new("Bearer", RouterHost.AgentKey);

        using var response = await _router.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("UTF-8", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Every_response_carries_a_request_id_and_the_clients_own_is_kept()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Add("x-request-id", "my-trace-123");
        using var response = await _router.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("my-trace-123", response.Headers.GetValues("x-request-id").Single());
    }

    [Fact]
    public async Task Models_lists_what_the_providers_serve()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        request.Headers.Authorization = new("Bearer", RouterHost.AgentKey);
        using var response = await _router.Client.SendAsync(request);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal("list", json["object"]!.GetValue<string>());
        Assert.Contains(json["data"]!.AsArray(), m => m!["id"]!.GetValue<string>() == "gpt-*");
    }
}
