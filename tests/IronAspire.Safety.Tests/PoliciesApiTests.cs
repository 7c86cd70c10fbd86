using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IronAspire.Pii;
using IronAspire.Pii.Policies;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace IronAspire.Safety.Tests;

/// <summary>Agent overrides use fresh agent ids per test; tests that change the default live in <see cref="DefaultPolicyTests"/>.</summary>
public sealed class PoliciesApiTests(SafetyHost host) : IClassFixture<SafetyHost>
{
    private static string NewAgent() => "agent-" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task An_agent_override_can_be_put_read_and_deleted()
    {
        var agent = NewAgent();
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.GetAsync($"/v1/policies/{agent}")).StatusCode);

        var put = await host.Client.PutAsJsonAsync($"/v1/policies/{agent}", new
        {
            request = new Dictionary<string, string> { ["EMAIL_ADDRESS"] = "block" },
            styles = new Dictionary<string, string> { ["CREDIT_CARD"] = "mask" },
        });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.NotNull(put.Headers.ETag);

        var read = (await host.Client.GetFromJsonAsync<JsonObject>($"/v1/policies/{agent}"))!;
        Assert.Equal("block", read["request"]!["EMAIL_ADDRESS"]!.GetValue<string>());

        var effective = (await host.Client.GetFromJsonAsync<JsonObject>($"/v1/policies/{agent}/effective"))!;
        Assert.Equal("block", effective["request"]!["EMAIL_ADDRESS"]!.GetValue<string>());
        Assert.NotNull(effective["request"]!["SECRET"]);

        Assert.Equal(HttpStatusCode.NoContent, (await host.Client.DeleteAsync($"/v1/policies/{agent}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.GetAsync($"/v1/policies/{agent}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.DeleteAsync($"/v1/policies/{agent}")).StatusCode);
    }

    [Theory]
    [InlineData("""{"request":{"EMAIL_ADDRESS":"explode"}}""", "")]
    [InlineData("""{"request":{"PASSPORT":"redact"}}""", "PASSPORT")]
    [InlineData("""{"styles":{"CREDIT_CARD":"sparkles"}}""", "")]
    [InlineData("""{"customTypes":[{"name":"EMP_ID","pattern":"(?<x>a)\\k<x>"}]}""", "backtracking")]
    [InlineData("""{"customTypes":[{"name":"EMP_ID","pattern":"["}]}""", "regular expression")]
    [InlineData("""{"customTypes":[{"name":"EMP_ID","pattern":"EMP-\\d+","validation":"crc"}]}""", "")]
    [InlineData("""{"surprise":true}""", "")]
    public async Task Invalid_policies_are_a_400_problem(string json, string mentions)
    {
        var response = await host.Client.PutAsync($"/v1/policies/{NewAgent()}", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains(mentions, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Changing_a_policy_needs_the_admin_key_and_reading_or_scanning_needs_a_credential()
    {
        var agent = NewAgent();
        var body = new { request = new Dictionary<string, string> { ["SECRET"] = "allow" } };
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Anonymous.PutAsJsonAsync($"/v1/policies/{agent}", body)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Anonymous.PutAsJsonAsync("/v1/policies/default", body)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Anonymous.DeleteAsync($"/v1/policies/{agent}")).StatusCode);
        var wrong = new HttpRequestMessage(HttpMethod.Put, $"/v1/policies/{agent}") { Content = JsonContent.Create(body) };
        wrong.Headers.Authorization = new("Bearer", "not-the-key");
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Anonymous.SendAsync(wrong)).StatusCode);

        // The service key reads and scans but cannot change a policy.
        using (var asService = new HttpRequestMessage(HttpMethod.Put, $"/v1/policies/{agent}") { Content = JsonContent.Create(body) })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await host.Service.SendAsync(asService)).StatusCode);
        }

        // Issue 13: without a credential nothing is readable (an agent on the machine must not learn the policies).
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Anonymous.GetAsync($"/v1/policies/{agent}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Anonymous.GetAsync("/v1/policies/default")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Anonymous.PostAsJsonAsync("/v1/scan", new { text = "a@b.io" })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Anonymous.GetAsync("/openapi/v1.json")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.Anonymous.GetAsync("/health")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Service.GetAsync($"/v1/policies/{agent}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.Service.GetAsync("/v1/policies/default")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.Service.PostAsJsonAsync("/v1/scan", new { text = "a@b.io" })).StatusCode);
    }

    [Fact]
    public async Task Invalid_agent_ids_are_a_400_problem()
    {
        var response = await host.Client.PutAsJsonAsync("/v1/policies/" + new string('a', 200), new { });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task A_policy_change_reaches_a_policy_cache_within_one_second()
    {
        var agent = NewAgent();
        var cache = host.Services.GetRequiredService<PiiPolicyCache>();
        var before = await cache.GetAsync(agent);
        Assert.Equal(PiiAction.Audit, before.Request.ActionFor(PiiEntityTypes.EmailAddress));

        (await host.Client.PutAsJsonAsync($"/v1/policies/{agent}", new { request = new Dictionary<string, string> { ["EMAIL_ADDRESS"] = "block" } })).EnsureSuccessStatusCode();
        await SeenWithinOneSecond(cache, agent, p => p.Request.ActionFor(PiiEntityTypes.EmailAddress) == PiiAction.Block);
        Assert.True((await cache.GetAsync(agent)).Request.Redact("jane@example.com").Tally.Blocked);

        (await host.Client.DeleteAsync($"/v1/policies/{agent}")).EnsureSuccessStatusCode();
        await SeenWithinOneSecond(cache, agent, p => p.Request.ActionFor(PiiEntityTypes.EmailAddress) == PiiAction.Audit);
    }

    [Fact]
    public async Task A_change_without_a_notification_is_still_seen_within_one_second()
    {
        var agent = NewAgent();
        var cache = host.Services.GetRequiredService<PiiPolicyCache>();
        await cache.GetAsync(agent);

        // Written the way a missed pub/sub message would leave it: key and version, no publish.
        var db = host.Services.GetRequiredService<IConnectionMultiplexer>().GetDatabase();
        await db.StringSetAsync(PiiPolicyStore.AgentKey(agent), """{"response":{"IP_ADDRESS":"redact"}}""");
        await db.StringIncrementAsync(PiiPolicyStore.VersionKey);

        await SeenWithinOneSecond(cache, agent, p => p.Response.ActionFor(PiiEntityTypes.IpAddress) == PiiAction.Redact);
    }

    /// <summary>Polls the cache (as the Router's hot path would) until <paramref name="seen"/> holds; fails after 1 s.</summary>
    private static async Task SeenWithinOneSecond(PiiPolicyCache cache, string agent, Func<CompiledPiiPolicy, bool> seen)
    {
        var watch = Stopwatch.StartNew();
        while (!seen(await cache.GetAsync(agent)))
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), "the change was not seen within 1 s");
            await Task.Delay(5);
        }
    }

    [Fact]
    public async Task Cached_policies_are_served_without_waiting_for_redis()
    {
        var agent = NewAgent();
        var cache = host.Services.GetRequiredService<PiiPolicyCache>();
        await cache.GetAsync(agent);
        var lookup = cache.GetAsync(agent);
        Assert.True(lookup.IsCompletedSuccessfully);
    }
}
