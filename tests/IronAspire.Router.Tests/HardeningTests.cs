using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IronAspire.Router.Tests;

/// <summary>
/// Input no provider, ledger or log should ever see (issue 13): control characters, duplicate keys, unpaired
/// surrogates, a bad x-request-id are 400s in the route's format before anything is sent; and of the client's headers
/// and query string only the documented allow-list reaches the provider.
/// </summary>
public class HardeningTests : IAsyncLifetime
{
    private CapturingProvider _provider = null!;
    private RouterHost _router = null!;

    public async Task InitializeAsync()
    {
        _provider = await CapturingProvider.StartAsync();
        var settings = RouterHost.Provider(0, "capture", "OpenAICompatible", _provider.Url, "provider-key", "gpt-*");
        foreach (var (key, value) in RouterHost.Provider(1, "capture-anthropic", "Anthropic", _provider.Url, "provider-key", "claude-*"))
        {
            settings[key] = value;
        }

        _router = await RouterHost.StartAsync(settings);
    }

    public async Task DisposeAsync()
    {
        await _router.DisposeAsync();
        await _provider.DisposeAsync();
    }

    [Theory]
    [InlineData("""{"model":"gpt-4o\u0000","messages":[{"role":"user","content":"hi"}]}""", "control characters")]
    [InlineData("""{"model":"gpt-4o\u0007x","messages":[{"role":"user","content":"hi"}]}""", "control characters")]
    [InlineData("""{"model":"gpt-4o","model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}""", "not valid JSON")]
    [InlineData("""{"model":"gpt-4o","messages":[{"role":"user","content":"a","content":"b"}]}""", "not valid JSON")]
    [InlineData("""{"model":"gpt-4o","messages":[{"role":"user","content":"lone \ud800 surrogate"}]}""", "surrogate")]
    [InlineData("""{"model":"gpt-4o","messages":[{"role":"user","content":"\udc00"}]}""", "surrogate")]
    [InlineData("""{"model":"gpt-4o","messages":[{"role":"user","content":"nul \u0000 inside"}]}""", "NUL")]
    [InlineData("""{"model":"gpt-4o","messages":[{"role":"user","content":"x"}],"metadata":{"k\u0000":"v"}}""", "NUL")]
    public async Task Poison_strings_and_duplicate_keys_are_400s_in_openai_format_and_never_reach_the_provider(string body, string expected)
    {
        using var response = await _router.PostAsync("/v1/chat/completions", body);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request_error", json["error"]!["type"]!.GetValue<string>());
        Assert.Contains(expected, json["error"]!["message"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, _provider.Calls);
    }

    [Fact]
    public async Task Poison_strings_on_anthropic_routes_are_400s_in_anthropic_format()
    {
        using var response = await _router.PostAsync("/v1/messages",
            """{"model":"claude-sonnet-4-5","max_tokens":5,"messages":[{"role":"user","content":"x","content":"\ud83d"}]}""");
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("error", json["type"]!.GetValue<string>());
        Assert.Equal("invalid_request_error", json["error"]!["type"]!.GetValue<string>());
        Assert.Equal(0, _provider.Calls);
    }

    [Fact]
    public async Task A_correctly_paired_surrogate_and_ordinary_whitespace_pass()
    {
        using var response = await _router.PostAsync("/v1/chat/completions",
            """{"model":"gpt-4o","max_tokens":5,"messages":[{"role":"user","content":"emoji \ud83d\ude00\n\ttab"}]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, _provider.Calls);
    }

    [Theory]
    [InlineData("/v1/chat/completions", "error")]
    [InlineData("/v1/messages", "type")]
    public async Task A_non_ascii_or_overlong_request_id_is_a_400_in_the_route_format(string path, string topLevel)
    {
        foreach (var id in new[] { "caf\u00e9-1", new string('a', 129), "with space" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path)
            {
                Content = new StringContent(RouterHost.Chat(path.Contains("messages") ? "claude-sonnet-4-5" : "gpt-4o"), System.Text.Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new("Bearer", RouterHost.AgentKey);
            request.Headers.TryAddWithoutValidation("x-request-id", id);
            using var response = await _router.Client.SendAsync(request);
            var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.NotNull(json[topLevel]);
            Assert.StartsWith("req_", response.Headers.GetValues("x-request-id").Single());
        }

        Assert.Equal(0, _provider.Calls);
    }

    // A provider's answer is input too: one that cannot be translated (not JSON, or a field of another kind than its
    // API defines) is a 502 in the client's format naming what was wrong, never a 500 or a half-translated answer.
    [Theory]
    [InlineData("not json at all", "it is not valid JSON")]
    [InlineData("""["an","array"]""", "'(the answer)' must be a JSON object")]
    [InlineData("""{"id":7,"choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1}}""", "'id' must be a string")]
    [InlineData("""{"id":"c1","choices":[{"index":0,"message":{"role":"assistant","content":["ok"]},"finish_reason":"stop"}]}""", "'choices[0].message.content' must be a string")]
    [InlineData("""{"id":"c1","choices":["x"]}""", "'choices[0]' must be an object")]
    [InlineData("""{"id":"c1","choices":[{"index":0,"message":{"role":"assistant","tool_calls":[{"id":"t","function":{"name":5,"arguments":"{}"}}]},"finish_reason":"tool_calls"}]}""", "'tool_calls[].function.name' must be a string")]
    public async Task A_provider_answer_that_cannot_be_translated_is_a_502_in_the_clients_format(string answer, string expected)
    {
        _provider.Answer = answer;
        using var response = await _router.PostAsync("/v1/messages", """{"model":"gpt-4o","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}""");
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("error", json["type"]!.GetValue<string>());
        Assert.Equal("api_error", json["error"]!["type"]!.GetValue<string>());
        Assert.Contains(expected, json["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.StartsWith("The provider's answer could not be translated", json["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(1, _provider.Calls);
    }

    [Fact]
    public async Task A_claude_answer_that_cannot_be_translated_is_a_502_in_openai_format()
    {
        _provider.Answer = """{"id":"msg_1","type":"message","role":"assistant","content":[{"type":"text","text":5}],"stop_reason":"end_turn","usage":{"input_tokens":3,"output_tokens":1}}""";
        using var response = await _router.PostAsync("/v1/chat/completions", RouterHost.Chat("claude-sonnet-4"));
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("upstream_invalid_response", json["error"]!["code"]!.GetValue<string>());
        Assert.Equal("The provider's answer could not be translated: 'content[].text' must be a string.", json["error"]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_native_answer_the_response_pii_policy_cannot_read_is_a_502_not_passed_unchecked()
    {
        // The built-in default policy redacts answers; a body it cannot parse could hide anything.
        _provider.Answer = """{"id":"c1","choices":[{"message":{"content":"call me at 555-0100"}}],""";
        using var response = await _router.PostAsync("/v1/chat/completions", RouterHost.Chat("gpt-4o"));
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.DoesNotContain("555-0100", text, StringComparison.Ordinal);
        Assert.Equal("The provider's answer could not be checked for personal data: it is not valid JSON.",
            JsonNode.Parse(text)!["error"]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Only_allow_listed_client_headers_and_no_query_string_reach_the_provider()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions?api-version=evil&organization=org-other")
        {
            Content = new StringContent(RouterHost.Chat("gpt-4o"), System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", RouterHost.AgentKey);
        request.Headers.TryAddWithoutValidation("OpenAI-Organization", "org-other");
        request.Headers.TryAddWithoutValidation("OpenAI-Project", "proj-other");
        request.Headers.TryAddWithoutValidation("OpenAI-Beta", "assistants=v2");
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", "10.0.0.1");
        request.Headers.TryAddWithoutValidation("Cookie", "session=1");
        request.Headers.TryAddWithoutValidation("X-Stainless-Lang", "python");
        request.Headers.TryAddWithoutValidation("Accept", "application/json");
        using var response = await _router.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = _provider.LastHeaders!;
        Assert.Equal("", _provider.LastQuery);
        Assert.Equal("Bearer provider-key", seen["Authorization"]);
        Assert.Equal("assistants=v2", seen["OpenAI-Beta"]);
        Assert.Equal("application/json", seen["Accept"]);
        foreach (var name in new[] { "OpenAI-Organization", "OpenAI-Project", "X-Forwarded-For", "Cookie", "X-Stainless-Lang" })
        {
            Assert.False(seen.ContainsKey(name), $"{name} reached the provider");
        }
    }

    [Fact]
    public async Task Anthropic_version_and_beta_headers_reach_the_provider()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages")
        {
            Content = new StringContent(RouterHost.Chat("claude-sonnet-4-5"), System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("x-api-key", RouterHost.AgentKey);
        request.Headers.TryAddWithoutValidation("anthropic-version", "2023-06-01");
        request.Headers.TryAddWithoutValidation("anthropic-beta", "prompt-caching-2024-07-31");
        request.Headers.TryAddWithoutValidation("anthropic-dangerous-direct-browser-access", "true");
        using var response = await _router.Client.SendAsync(request);

        var seen = _provider.LastHeaders!;
        Assert.Equal("provider-key", seen["x-api-key"]);
        Assert.Equal("2023-06-01", seen["anthropic-version"]);
        Assert.Equal("prompt-caching-2024-07-31", seen["anthropic-beta"]);
        Assert.False(seen.ContainsKey("anthropic-dangerous-direct-browser-access"));
    }

    /// <summary>An upstream that records what it was sent and answers every call with a small chat completion (or <see cref="Answer"/>).</summary>
    private sealed class CapturingProvider : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private int _calls;

        private CapturingProvider(WebApplication app)
        {
            _app = app;
            Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        }

        public string Url { get; }
        public int Calls => Volatile.Read(ref _calls);
        public ConcurrentDictionary<string, string>? LastHeaders { get; private set; }
        public string? LastQuery { get; private set; }

        /// <summary>The JSON body every call is answered with, when set.</summary>
        public string? Answer { get; set; }

        public static async Task<CapturingProvider> StartAsync()
        {
            var builder = WebApplication.CreateBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            CapturingProvider? self = null;
            app.MapPost("/v1/{**path}", (HttpContext context) =>
            {
                Interlocked.Increment(ref self!._calls);
                self.LastHeaders = new(context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString()), StringComparer.OrdinalIgnoreCase);
                self.LastQuery = context.Request.QueryString.Value ?? "";
                return Results.Text(self.Answer ?? """
                    {"id":"c1","object":"chat.completion","model":"gpt-4o","type":"message","role":"assistant",
                     "choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],
                     "content":[{"type":"text","text":"ok"}],
                     "usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4,"input_tokens":3,"output_tokens":1}}
                    """, "application/json");
            });
            await app.StartAsync();
            self = new CapturingProvider(app);
            return self;
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }
}
