using System.Net;
using System.Text.Json.Nodes;
using IronAspire.Contracts.Agents;
using IronAspire.Testing;
using StackExchange.Redis;

namespace IronAspire.Router.Tests;

/// <summary>
/// An agent's allow-list, written into its key record by the control plane, limits the models it may call and the
/// models it is shown; a key without one may use every model the providers serve.
/// </summary>
public sealed class ModelAllowListTests : IAsyncLifetime
{
    private MockProviderHost _mock = null!;
    private RouterHost _router = null!;
    private IConnectionMultiplexer _redis = null!;
    private readonly string _limitedKey = "ia-limited-" + Guid.NewGuid().ToString("N");
    private readonly string _openKey = "ia-open-" + Guid.NewGuid().ToString("N");
    private readonly string _familyKey = "ia-family-" + Guid.NewGuid().ToString("N");

    public async Task InitializeAsync()
    {
        _mock = await MockProviderHost.StartAsync();
        var settings = RouterHost.OpenAIAndAnthropic(_mock.Url);

        settings["Router:KeyCacheSeconds"] = "0.5";
        _router = await RouterHost.StartAsync(settings);
        _redis = await ConnectionMultiplexer.ConnectAsync(await BackingServers.RedisAsync());
        await WriteKeyAsync(_limitedKey, "gpt-4o-mini");
        await WriteKeyAsync(_openKey, null);
        await WriteKeyAsync(_familyKey, "*-mini");
    }

    public async Task DisposeAsync()
    {
        var db = _redis.GetDatabase();
        await db.KeyDeleteAsync([AgentKeyFormat.RedisKey(_limitedKey), AgentKeyFormat.RedisKey(_openKey), AgentKeyFormat.RedisKey(_familyKey)]);
        await _redis.DisposeAsync();
        await _router.DisposeAsync();
        await _mock.DisposeAsync();
    }

    [Fact]
    public async Task A_model_outside_the_list_is_404_model_not_allowed_in_the_routes_format()
    {
        using var allowed = await _router.PostAsync("/v1/chat/completions", RouterHost.Chat("gpt-4o-mini"), _limitedKey);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);

        using var openai = await _router.PostAsync("/v1/chat/completions", RouterHost.Chat("gpt-4o"), _limitedKey);
        var error = JsonNode.Parse(await openai.Content.ReadAsStringAsync())!["error"]!;
        Assert.Equal(HttpStatusCode.NotFound, openai.StatusCode);
        Assert.Equal("model_not_allowed", error["code"]!.GetValue<string>());
        Assert.Equal("model", error["param"]!.GetValue<string>());
        Assert.Contains("gpt-4o", error["message"]!.GetValue<string>());

        using var anthropic = await _router.PostAsync("/v1/messages", RouterHost.Chat("claude-sonnet-4"), _limitedKey);
        var anthropicError = JsonNode.Parse(await anthropic.Content.ReadAsStringAsync())!;
        Assert.Equal(HttpStatusCode.NotFound, anthropic.StatusCode);
        Assert.Equal("error", anthropicError["type"]!.GetValue<string>());
        Assert.Equal("not_found_error", anthropicError["error"]!["type"]!.GetValue<string>());

        // Not on the list is told apart from served by nobody.
        using var unknown = await _router.PostAsync("/v1/chat/completions", RouterHost.Chat("nobody-serves-this"), _openKey);
        Assert.Equal("model_not_found", JsonNode.Parse(await unknown.Content.ReadAsStringAsync())!["error"]!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task Models_lists_what_the_agent_may_use()
    {
        Assert.Equal(["gpt-4o-mini"], await ModelIdsAsync(_limitedKey));
        Assert.Equal(["gpt-*", "claude-*"], await ModelIdsAsync(_openKey));
        // Neither pattern covers the other, but they overlap: what the agent may use of each provider's family.
        Assert.Equal(["gpt-*-mini", "claude-*-mini"], await ModelIdsAsync(_familyKey));
        using var allowed = await _router.PostAsync("/v1/chat/completions", RouterHost.Chat("gpt-4o-mini"), _familyKey);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }

    [Fact]
    public async Task A_key_without_a_list_may_use_every_model_and_a_changed_list_applies_within_the_cache_time()
    {
        using var open = await _router.PostAsync("/v1/chat/completions", RouterHost.Chat("gpt-4o"), _openKey);
        Assert.Equal(HttpStatusCode.OK, open.StatusCode);

        await WriteKeyAsync(_limitedKey, "gpt-4o*,claude-*");
        await Task.Delay(TimeSpan.FromSeconds(1));

        using var widened = await _router.PostAsync("/v1/chat/completions", RouterHost.Chat("gpt-4o"), _limitedKey);
        Assert.Equal(HttpStatusCode.OK, widened.StatusCode);
        Assert.Equal(["gpt-4o*", "claude-*"], await ModelIdsAsync(_limitedKey));
        using var stillRefused = await _router.PostAsync("/v1/chat/completions", RouterHost.Chat("gpt-3.5-turbo"), _limitedKey);
        Assert.Equal(HttpStatusCode.NotFound, stillRefused.StatusCode);
    }

    private async Task WriteKeyAsync(string key, string? models)
    {
        var db = _redis.GetDatabase();
        await db.KeyDeleteAsync(AgentKeyFormat.RedisKey(key));
        List<HashEntry> fields = [new(AgentKeyFormat.AgentIdField, "agent-" + key[..10])];
        if (models is not null)
        {
            fields.Add(new(AgentKeyFormat.ModelsField, models));
        }

        await db.HashSetAsync(AgentKeyFormat.RedisKey(key), [.. fields]);
    }

    private async Task<string[]> ModelIdsAsync(string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        request.Headers.Authorization = new("Bearer", key);
        using var response = await _router.Client.SendAsync(request);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        return json["data"]!.AsArray().Select(m => m!["id"]!.GetValue<string>()).ToArray();
    }
}
