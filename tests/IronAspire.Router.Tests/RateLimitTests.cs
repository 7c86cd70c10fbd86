using System.Net;
using System.Text.Json.Nodes;
using IronAspire.Contracts.Agents;
using IronAspire.Testing;
using StackExchange.Redis;

namespace IronAspire.Router.Tests;

/// <summary>
/// Per-agent rate limits from the agent's key record, enforced in Redis across Router replicas: one call over the
/// limit is one 429 with the headers OpenAI clients read, concurrency holds under many callers and slots come back
/// however a call ends, and the window recovers.
/// </summary>
public sealed class RateLimitTests : IAsyncLifetime
{
    private const double WindowSeconds = 4;
    private MockProviderHost _mock = null!;
    private RouterHost _router = null!;
    private RouterHost _replica = null!;
    private IConnectionMultiplexer _redis = null!;
    private readonly List<string> _keys = [];

    public async Task InitializeAsync()
    {
        _mock = await MockProviderHost.StartAsync();
        var settings = RouterHost.OpenAIAndAnthropic(_mock.Url);
        settings["Router:RateLimits:WindowSeconds"] = WindowSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Router:Resilience:MaxRetries"] = "0";
        _router = await RouterHost.StartAsync(settings);
        _replica = await RouterHost.StartAsync(settings);
        _redis = await ConnectionMultiplexer.ConnectAsync(await BackingServers.RedisAsync());
    }

    public async Task DisposeAsync()
    {
        await _redis.GetDatabase().KeyDeleteAsync(_keys.Select(k => (RedisKey)AgentKeyFormat.RedisKey(k)).ToArray());
        await _redis.DisposeAsync();
        await _replica.DisposeAsync();
        await _router.DisposeAsync();
        await _mock.DisposeAsync();
    }

    /// <summary>A new agent (its own counters) with the given limits in its key record, as the Supervisor writes them.</summary>
    private async Task<string> AgentAsync(AgentLimits limits)
    {
        var key = AgentKeyFormat.NewKey();
        _keys.Add(key);
        List<HashEntry> fields = [new(AgentKeyFormat.AgentIdField, "rl-" + Guid.NewGuid().ToString("N")[..12])];
        fields.AddRange(AgentKeyFormat.FormatLimits(limits).Select(f => new HashEntry(f.Field, f.Value)));
        await _redis.GetDatabase().HashSetAsync(AgentKeyFormat.RedisKey(key), [.. fields]);
        return key;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task One_call_over_the_requests_per_minute_is_exactly_one_429_with_the_rate_limit_headers(int replicas)
    {
        const int limit = 5;
        var key = await AgentAsync(new AgentLimits(RequestsPerMinute: limit));
        var routers = replicas == 1 ? [_router] : new[] { _router, _replica };

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? refused = null;
        for (var i = 0; i <= limit; i++)
        {
            var response = await routers[i % routers.Length].PostAsync("/v1/chat/completions", RouterHost.Chat("gpt-4o-mini"), key);
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                refused = response;
            }
            else
            {
                Assert.Equal(limit.ToString(), response.Headers.GetValues("x-ratelimit-limit-requests").Single());
                Assert.Equal((limit - i - 1).ToString(), response.Headers.GetValues("x-ratelimit-remaining-requests").Single());
                response.Dispose();
            }
        }

        Assert.Equal(limit, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
        using (refused)
        {
            Assert.Equal(limit.ToString(), refused!.Headers.GetValues("x-ratelimit-limit-requests").Single());
            Assert.Equal("0", refused.Headers.GetValues("x-ratelimit-remaining-requests").Single());
            Assert.Matches("^[0-9.]+m?s$", refused.Headers.GetValues("x-ratelimit-reset-requests").Single());
            Assert.InRange(int.Parse(refused.Headers.RetryAfter!.ToString()), 1, (int)Math.Ceiling(WindowSeconds));
            var error = JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["error"]!;
            Assert.Equal("rate_limit_exceeded", error["code"]!.GetValue<string>());
            Assert.Equal("rate_limit_error", error["type"]!.GetValue<string>());
        }

        // Anthropic's route answers in Anthropic's format.
        using var anthropic = await _router.PostAsync("/v1/messages", RouterHost.Chat("claude-haiku-4-5"), key);
        Assert.Equal(HttpStatusCode.TooManyRequests, anthropic.StatusCode);
        Assert.Equal("rate_limit_error", JsonNode.Parse(await anthropic.Content.ReadAsStringAsync())!["error"]!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_demo_agent_gets_its_limits_from_configuration()
    {
        var settings = RouterHost.OpenAIAndAnthropic(_mock.Url);
        settings["Router:DemoAgent:AgentId"] = "demo-" + Guid.NewGuid().ToString("N")[..12];
        settings["Router:DemoAgent:Limits:RequestsPerMinute"] = "2";
        settings["Router:DemoAgent:Limits:MaxConcurrent"] = "1";
        await using var demo = await RouterHost.StartAsync(settings);

        for (var i = 0; i < 2; i++)
        {
            using var ok = await demo.PostAsync("/v1/chat/completions", RouterHost.Chat("gpt-4o-mini"));
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Equal("2", ok.Headers.GetValues("x-ratelimit-limit-requests").Single());
        }

        using var refused = await demo.PostAsync("/v1/chat/completions", RouterHost.Chat("gpt-4o-mini"));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
    }

    [Fact]
    public async Task A_refusal_is_published_as_a_failed_call_with_the_rate_limit_code()
    {
        var failed = new System.Collections.Concurrent.ConcurrentQueue<IronAspire.Contracts.Events.LlmRequestFailed>();
        await using var bus = await TestBus.StartAsync(TestBus.CollectCalls(failed));
        var key = await AgentAsync(new AgentLimits(RequestsPerMinute: 1));
        var agentId = (string)(await _redis.GetDatabase().HashGetAsync(AgentKeyFormat.RedisKey(key), AgentKeyFormat.AgentIdField))!;
        using (var ok = await _router.PostAsync("/v1/chat/completions", RouterHost.Chat("gpt-4o-mini"), key))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            // Read whole: a response dropped unread is a client gone mid-call, a failure of its own.
            await ok.Content.ReadAsStringAsync();
        }

        using var refused = await NextCallPastTheWindowAsync(key);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!failed.Any(e => e.AgentId == agentId) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        var evt = Assert.Single(failed, e => e.AgentId == agentId);
        Assert.Equal("rate_limit_exceeded", evt.ErrorType);
        Assert.Equal(429, evt.StatusCode);
        Assert.Equal("gpt-4o-mini", evt.Model);
    }

    [Fact]
    public async Task The_window_recovers()
    {
        var key = await AgentAsync(new AgentLimits(RequestsPerMinute: 2));
        for (var i = 0; i < 2; i++)
        {
            using var ok = await _router.PostAsync("/v1/chat/completions", RouterHost.Chat("gpt-4o-mini"), key);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using var refused = await NextCallPastTheWindowAsync(key);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);

        await Task.Delay(TimeSpan.FromSeconds(int.Parse(refused.Headers.RetryAfter!.ToString())));
        using var recovered = await _router.PostAsync("/v1/chat/completions", RouterHost.Chat("gpt-4o-mini"), key);
        Assert.Equal(HttpStatusCode.OK, recovered.StatusCode);
    }

    [Fact]
    public async Task Tokens_per_minute_refuse_once_the_window_used_them_up()
    {
        // Each call uses about 24 tokens (the mock's input count for "hello" and 16 output tokens): two fit under 40, a third does not.
        var key = await AgentAsync(new AgentLimits(TokensPerMinute: 40));
        long used;
        using (var first = await _router.PostAsync("/v1/chat/completions", RouterHost.Chat("gpt-4o-mini"), key))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            Assert.Equal("40", first.Headers.GetValues("x-ratelimit-remaining-tokens").Single());
            used = JsonNode.Parse(await first.Content.ReadAsStringAsync())!["usage"]!["total_tokens"]!.GetValue<long>();
        }

        using (var second = await _replica.PostAsync("/v1/chat/completions", RouterHost.Chat("gpt-4o-mini"), key))
        {
            Assert.Equal(HttpStatusCode.OK, second.StatusCode);
            Assert.Equal((40 - used).ToString(), second.Headers.GetValues("x-ratelimit-remaining-tokens").Single());
        }

        using var refused = await NextCallPastTheWindowAsync(key);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("40", refused.Headers.GetValues("x-ratelimit-limit-tokens").Single());
        Assert.Equal("0", refused.Headers.GetValues("x-ratelimit-remaining-tokens").Single());
        Assert.NotNull(refused.Headers.GetValues("x-ratelimit-reset-tokens").Single());
        Assert.Contains("tokens", JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["error"]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Max_concurrent_holds_under_fifty_concurrent_callers_across_two_replicas_and_slots_come_back()
    {
        const int max = 5;
        var key = await AgentAsync(new AgentLimits(MaxConcurrent: max));
        var slow = RouterHost.Chat("gpt-4o-mini");

        // Every call holds its slot for 2 s at the provider: the 50 callers all arrive while the first ones are in flight.
        var calls = Enumerable.Range(0, 50).Select(async i =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent(slow, System.Text.Encoding.UTF8, "application/json") };
            request.Headers.Authorization = new("Bearer", key);
            request.Headers.Add("x-mock-latency-ms", "2000");
            using var response = await (i % 2 == 0 ? _router : _replica).Client.SendAsync(request);
            return response.StatusCode;
        }).ToList();
        var statuses = await Task.WhenAll(calls);

        Assert.Equal(max, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(50 - max, statuses.Count(s => s == HttpStatusCode.TooManyRequests));

        // Calls that end badly give their slots back too: clients hanging up, and provider failures.
        var hangUps = Enumerable.Range(0, max).Select(async _ =>
        {
            using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent(slow, System.Text.Encoding.UTF8, "application/json") };
            request.Headers.Authorization = new("Bearer", key);
            request.Headers.Add("x-mock-latency-ms", "10000");
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _router.Client.SendAsync(request, cancel.Token));
        });
        await Task.WhenAll(hangUps);
        for (var i = 0; i < max; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent(slow, System.Text.Encoding.UTF8, "application/json") };
            request.Headers.Authorization = new("Bearer", key);
            request.Headers.Add("x-mock-fault", "status:500");
            using var failed = await _replica.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        }

        // The slots of the hung-up calls are freed once the Router sees the client gone (at most a moment later).
        var deadline = DateTime.UtcNow.AddSeconds(5);
        int admitted;
        do
        {
            var again = await Task.WhenAll(Enumerable.Range(0, max).Select(async _ =>
            {
                using var response = await _router.PostAsync("/v1/chat/completions", RouterHost.Chat("gpt-4o-mini"), key);
                return response.StatusCode;
            }));
            admitted = again.Count(s => s == HttpStatusCode.OK);
        }
        while (admitted < max && DateTime.UtcNow < deadline);

        Assert.Equal(max, admitted);
    }

    /// <summary>
    /// The call after the window is used up. A call's tokens count once it has settled, a moment after its answer: a call
    /// arriving in that moment may still pass (a window can overshoot by one call, as docs/router.md says), the one after
    /// it may not.
    /// </summary>
    private async Task<HttpResponseMessage> NextCallPastTheWindowAsync(string key)
    {
        var refused = await _router.PostAsync("/v1/chat/completions", RouterHost.Chat("gpt-4o-mini"), key);
        for (var attempt = 0; attempt < 20 && refused.StatusCode == HttpStatusCode.OK; attempt++)
        {
            Assert.True(attempt == 0, "at most one call past the window while the last one settles");
            refused.Dispose();
            await Task.Delay(200);
            refused = await _router.PostAsync("/v1/chat/completions", RouterHost.Chat("gpt-4o-mini"), key);
        }

        return refused;
    }
}
