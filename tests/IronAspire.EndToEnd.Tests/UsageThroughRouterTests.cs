using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace IronAspire.EndToEnd.Tests;

/// <summary>
/// Every billed API, streamed or not, is recorded with the usage the provider reported — not an estimate. The
/// MockProvider's replies are deterministic, so a streamed call generates what the same call unstreamed reports;
/// an estimate from the streamed text (three bytes a token) would come out differently.
/// </summary>
[Collection(IronAspireAppCollection.Name)]
public class UsageThroughRouterTests(IronAspireAppFixture fixture)
{
    [Fact]
    public async Task Every_api_streamed_or_not_is_recorded_with_the_usage_the_provider_reported()
    {
        var agentId = "usage-" + Guid.NewGuid().ToString("N")[..8];
        var key = await fixture.RegisterAgentKeyAsync(agentId);
        using var router = fixture.App.CreateHttpClient("router");
        var apis = new (string Path, Func<bool, string> Body, Func<JsonNode, long> Reported)[]
        {
            ("/v1/chat/completions",
                stream => $$"""{"model":"gpt-4o-mini","max_tokens":16,"stream":{{Json(stream)}},"messages":[{"role":"user","content":"Tell me about lighthouses."}]}""",
                body => body["usage"]!["completion_tokens"]!.GetValue<long>()),
            ("/v1/messages",
                stream => $$"""{"model":"claude-haiku-4-5","max_tokens":16,"stream":{{Json(stream)}},"messages":[{"role":"user","content":"Tell me about lighthouses."}]}""",
                body => body["usage"]!["output_tokens"]!.GetValue<long>()),
            ("/v1/responses",
                stream => $$"""{"model":"gpt-4o-mini","max_output_tokens":16,"stream":{{Json(stream)}},"input":"Tell me about lighthouses."}""",
                body => body["usage"]!["output_tokens"]!.GetValue<long>()),
        };

        long expected = 0;
        foreach (var (path, body, reported) in apis)
        {
            var plain = await CallAsync(router, key, path, body(false));
            expected += 2 * reported(JsonNode.Parse(plain)!);
            var streamed = await CallAsync(router, key, path, body(true));
            Assert.Contains("data: ", streamed);
        }

        var summary = await fixture.WaitForSummaryAsync(agentId, apis.Length * 2);

        Assert.Equal(apis.Length * 2, summary["requests"]!.GetValue<long>());
        Assert.Equal(0, summary["failures"]!.GetValue<long>());
        Assert.Equal(expected, summary["outputTokens"]!.GetValue<long>());
        Assert.True(summary["costUsd"]!.GetValue<decimal>() > 0);
    }

    private static async Task<string> CallAsync(HttpClient router, string key, string path, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new("Bearer", key);
        using var response = await router.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    private static string Json(bool value) => value ? "true" : "false";
}
