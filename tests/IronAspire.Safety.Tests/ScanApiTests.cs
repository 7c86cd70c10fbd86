using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace IronAspire.Safety.Tests;

public sealed class ScanApiTests(SafetyHost host) : IClassFixture<SafetyHost>
{
    [Fact]
    public async Task Scan_returns_positions_and_the_redacted_text_never_the_values()
    {
        const string text = "Mail jane@example.com, card 4242 4242 4242 4242, key AKIAIOSFODNN7EXAMPLE.";
        var response = await host.Client.PostAsJsonAsync("/v1/scan", new { text });
        response.EnsureSuccessStatusCode();
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        var findings = body["findings"]!.AsArray();
        Assert.Equal(["EMAIL_ADDRESS", "CREDIT_CARD", "SECRET"], findings.Select(f => f!["type"]!.GetValue<string>()));
        Assert.Equal(5, findings[0]!["start"]!.GetValue<int>());
        Assert.Equal(21, findings[0]!["end"]!.GetValue<int>());
        Assert.Equal("Mail [EMAIL_ADDRESS], card [CREDIT_CARD], key [SECRET].", body["redacted"]!.GetValue<string>());
        var raw = body.ToJsonString();
        Assert.DoesNotContain("jane@example.com", raw);
        Assert.DoesNotContain("AKIAIOSFODNN7EXAMPLE", raw);
    }

    [Fact]
    public async Task Scan_can_be_limited_to_some_types()
    {
        var response = await host.Client.PostAsJsonAsync("/v1/scan", new { text = "jane@example.com 10.0.0.1", types = new[] { "IP_ADDRESS" } });
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("jane@example.com [IP_ADDRESS]", body["redacted"]!.GetValue<string>());
    }

    [Fact]
    public async Task Unknown_types_are_a_400_problem()
    {
        var response = await host.Client.PostAsJsonAsync("/v1/scan", new { text = "x", types = new[] { "PASSPORT" } });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("PASSPORT", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Missing_text_is_400_and_too_large_text_is_413()
    {
        var missing = await host.Client.PostAsJsonAsync("/v1/scan", new { types = new[] { "SECRET" } });
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);

        var large = await host.Client.PostAsJsonAsync("/v1/scan", new { text = new string('a', 100_001) });
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, large.StatusCode);
        Assert.Equal("application/problem+json", large.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task Malformed_json_is_a_400_problem()
    {
        var response = await host.Client.PostAsync("/v1/scan", new StringContent("{\"text\":", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task OpenApi_document_describes_the_scan_and_policy_endpoints()
    {
        var doc = await host.Client.GetStringAsync("/openapi/v1.json");
        Assert.Contains("/v1/scan", doc);
        Assert.Contains("/v1/policies/{agentId}", doc);
    }
}
