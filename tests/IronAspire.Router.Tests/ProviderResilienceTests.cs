using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IronAspire.Contracts.Events;
using IronAspire.Testing;
using IronAspire.MockProvider.Simulation;

namespace IronAspire.Router.Tests;

/// <summary>Per-provider circuit breakers, retries before the first byte, fallback and stream cuts, against real MockProviders.</summary>
public class ProviderResilienceTests : IAsyncLifetime
{
    private MockProviderHost _a = null!;
    private MockProviderHost _b = null!;
    private RouterHost _router = null!;
    private TestBus _operators = null!;
    private readonly ConcurrentQueue<CircuitStateChanged> _circuitEvents = new();

    public async Task InitializeAsync()
    {
        // What an operator's service subscribed to the bus sees of the circuits.
        _operators = await TestBus.StartAsync(TestBus.Collect(_circuitEvents));

        _a = await MockProviderHost.StartAsync();
        _b = await MockProviderHost.StartAsync();
        var settings = new Dictionary<string, string?>
        {
            ["Router:Resilience:MinimumThroughput"] = "4",
            ["Router:Resilience:FailureRatio"] = "0.5",
            ["Router:Resilience:BreakSeconds"] = "1",
            ["Router:Resilience:MaxRetries"] = "2",
            ["Router:Timeouts:FirstByteSeconds"] = "2",
            ["Router:Timeouts:StreamIdleSeconds"] = "2",
        };
        // "solo-*" only A serves; "pair-*" A first, then B; "other-*" only B; "claude-*" Anthropic on A.
        foreach (var part in new[]
        {
            RouterHost.Provider(0, "provider-a", "OpenAICompatible", _a.Url, "key-a", "solo-*", "pair-*"),
            RouterHost.Provider(1, "provider-b", "OpenAICompatible", _b.Url, "key-b", "pair-*", "other-*"),
            RouterHost.Provider(2, "anthropic-a", "Anthropic", _a.Url, "key-anthropic", "claude-*"),
            // Circuits of their own for the retry tests, so their failures open nobody else's.
            RouterHost.Provider(3, "provider-c", "OpenAICompatible", _b.Url, "key-c", "wait-*"),
            RouterHost.Provider(4, "provider-d", "OpenAICompatible", _b.Url, "key-d", "always-*"),
        })
        {
            foreach (var (key, value) in part)
            {
                settings[key] = value;
            }
        }

        _router = await RouterHost.StartAsync(settings);
    }

    public async Task DisposeAsync()
    {
        await _operators.DisposeAsync();
        await _router.DisposeAsync();
        await _a.DisposeAsync();
        await _b.DisposeAsync();
    }

    [Fact]
    public async Task The_provider_key_replaces_the_agent_key_upstream()
    {
        using var openai = await _router.PostAsync("/v1/chat/completions", RouterHost.Chat("solo-1"));
        Assert.Equal(HttpStatusCode.OK, openai.StatusCode);
        Assert.Equal("Bearer key-a", await _a.LastAuthorizationAsync());

        using var anthropic = await _router.PostAsync("/v1/messages", RouterHost.Chat("claude-x"));
        Assert.Equal(HttpStatusCode.OK, anthropic.StatusCode);
        Assert.Equal("key-anthropic", await _a.LastAuthorizationAsync());
    }

    [Fact]
    public async Task The_breaker_opens_fails_fast_half_opens_and_closes_and_never_touches_the_other_provider()
    {
        var counted = new ConcurrentQueue<string>();
        using var meters = new System.Diagnostics.Metrics.MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Name == "ironaspire.router.circuit.state_changes")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        meters.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            var provider = tags.ToArray().FirstOrDefault(t => t.Key == "provider").Value;
            var state = tags.ToArray().FirstOrDefault(t => t.Key == "state").Value;
            counted.Enqueue($"{provider}:{state}");
        });
        meters.Start();

        await _a.SetFaultAsync(new FaultSettings(Status: 500));

        for (var i = 0; i < 4; i++)
        {
            using var failing = await _router.PostAsync("/v1/chat/completions", RouterHost.Chat("solo-1"));
            Assert.True((int)failing.StatusCode >= 500);
        }

        // Open: answered at once, without calling the provider, with Retry-After.
        var before = await _a.RequestCountAsync();
        var stopwatch = Stopwatch.StartNew();
        using var open = await _router.PostAsync("/v1/chat/completions", RouterHost.Chat("solo-1"));
        stopwatch.Stop();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, open.StatusCode);
        Assert.NotNull(open.Headers.RetryAfter);
        Assert.Equal("provider_unavailable", JsonNode.Parse(await open.Content.ReadAsStringAsync())!["error"]!["code"]!.GetValue<string>());
        Assert.Equal(before, await _a.RequestCountAsync());
        Assert.True(stopwatch.ElapsedMilliseconds < 200, $"fail-fast took {stopwatch.ElapsedMilliseconds} ms");
        Assert.Equal("Open", await CircuitAsync("provider-a"));

        // Provider B's traffic is untouched.
        using var other = await _router.PostAsync("/v1/chat/completions", RouterHost.Chat("other-1"));
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.Equal("Closed", await CircuitAsync("provider-b"));

        // After the break a probe goes through; its success closes the circuit.
        await _a.SetFaultAsync(null);
        await Task.Delay(1200);
        using var probe = await _router.PostAsync("/v1/chat/completions", RouterHost.Chat("solo-1"));
        Assert.Equal(HttpStatusCode.OK, probe.StatusCode);
        Assert.Equal("Closed", await CircuitAsync("provider-a"));

        // Every change was logged and published as an event; provider B's circuit never changed.
        for (var i = 0; i < 100 && _circuitEvents.Count(e => e.Provider == "provider-a") < 3; i++)
        {
            await Task.Delay(100);
        }

        // Events may cross on the bus (they are published concurrently); their timestamps keep the order.
        Assert.Equal(["Open", "HalfOpen", "Closed"], _circuitEvents.Where(e => e.Provider == "provider-a").OrderBy(e => e.Timestamp).Select(e => e.State));
        Assert.DoesNotContain(_circuitEvents, e => e.Provider == "provider-b");
        Assert.Contains(_router.Logs.Lines, line => line.Contains("Circuit of provider provider-a is now Open", StringComparison.Ordinal));
        Assert.Equal(["provider-a:Closed", "provider-a:HalfOpen", "provider-a:Open"], counted.Where(c => c.StartsWith("provider-a:", StringComparison.Ordinal)).Order());
    }

    [Fact]
    public async Task A_transient_failure_is_retried_before_the_first_byte()
    {
        await _b.SetFaultAsync(new FaultSettings(Status: 503, RemainingCount: 1));
        var before = await _b.RequestCountAsync();

        using var response = await _router.PostAsync("/v1/chat/completions", RouterHost.Chat("other-1"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(before + 2, await _b.RequestCountAsync());
    }

    [Fact]
    public async Task A_retry_waits_as_long_as_the_providers_retry_after_says()
    {
        await _b.SetFaultAsync(new FaultSettings(Status: 429, RetryAfterSeconds: 1, RemainingCount: 1, Models: ["wait-1"]));
        var before = await _b.RequestCountAsync();

        var stopwatch = Stopwatch.StartNew();
        using var response = await _router.PostAsync("/v1/chat/completions", RouterHost.Chat("wait-1"));
        stopwatch.Stop();
        await _b.SetFaultAsync(null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(before + 2, await _b.RequestCountAsync());
        // The backoff here is 5 ms; the second try came after the second the provider asked for.
        Assert.True(stopwatch.Elapsed >= TimeSpan.FromMilliseconds(950), $"retried after {stopwatch.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task A_provider_that_keeps_failing_is_tried_three_times_at_most()
    {
        await _b.SetFaultAsync(new FaultSettings(Status: 503, Models: ["always-1"]));
        var before = await _b.RequestCountAsync();

        using var response = await _router.PostAsync("/v1/chat/completions", RouterHost.Chat("always-1"));
        await _b.SetFaultAsync(null);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(before + 3, await _b.RequestCountAsync());
    }

    [Fact]
    public async Task Fallback_serves_from_the_second_provider_when_the_first_fails()
    {
        await _a.SetFaultAsync(new FaultSettings(Status: 502, Models: ["pair-1"]));

        using var response = await _router.PostAsync("/v1/chat/completions", RouterHost.Chat("pair-1"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("provider-b", response.Headers.GetValues("x-ironaspire-provider").Single());
        await _a.SetFaultAsync(null);
    }

    [Fact]
    public async Task A_stream_cut_mid_way_reaches_the_client_as_an_error_and_is_not_retried()
    {
        await _b.SetFaultAsync(new FaultSettings(Mode: "drop-mid-stream", Models: ["other-cut"]));
        var before = await _b.RequestCountAsync();

        using var response = await _router.PostAsync("/v1/chat/completions", RouterHost.Chat("other-cut", stream: true, maxTokens: 50));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var stopwatch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAnyAsync<Exception>(() => response.Content.ReadAsStringAsync());

        Assert.True(error is HttpRequestException or IOException, error.GetType().Name);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), "the client is not left hanging");
        Assert.Equal(before + 1, await _b.RequestCountAsync());
        await _b.SetFaultAsync(null);
    }

    [Fact]
    public async Task A_stream_that_goes_quiet_for_longer_than_the_idle_timeout_ends_in_an_error_not_a_hang()
    {
        // The first chunk comes at once, then the provider pauses 6 s; the Router's idle timeout here is 2 s.
        await _b.SetFaultAsync(new FaultSettings(ChunkDelayMs: 6000, Models: ["other-quiet"]));
        using var response = await _router.PostAsync("/v1/chat/completions", RouterHost.Chat("other-quiet", stream: true, maxTokens: 20));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var stopwatch = Stopwatch.StartNew();
        var received = new System.Text.StringBuilder();
        var error = await Record.ExceptionAsync(async () =>
        {
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            while (await reader.ReadLineAsync() is { } line)
            {
                received.AppendLine(line);
            }
        });
        await _b.SetFaultAsync(null);

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"ended after {stopwatch.Elapsed.TotalSeconds:0.0} s, not when the provider resumed");
        Assert.True(error is HttpRequestException or IOException, error?.GetType().Name ?? "the stream ended cleanly");
        // Mid-stream: the first chunk had arrived. (The Router also writes a stream_idle_timeout error event before it
        // breaks the connection; whether the client reads it before the reset is up to the transport.)
        Assert.Contains("\"role\":\"assistant\"", received.ToString());
    }

    [Fact]
    public async Task A_provider_that_does_not_answer_in_time_gives_503()
    {
        await _b.SetFaultAsync(new FaultSettings(Mode: "timeout", Models: ["other-slow"]));

        using var response = await _router.PostAsync("/v1/chat/completions", RouterHost.Chat("other-slow"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("did not answer in time", await response.Content.ReadAsStringAsync());
        await _b.SetFaultAsync(null);
    }

    [Fact]
    public async Task The_admin_endpoint_lists_providers_and_needs_the_admin_key()
    {
        using var anonymous = await _router.Client.GetAsync("/v1/admin/providers");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/admin/providers");
        request.Headers.Authorization = new("Bearer", RouterHost.AdminKey);
        using var response = await _router.Client.SendAsync(request);
        var providers = (await response.Content.ReadFromJsonAsync<JsonArray>())!;

        Assert.Equal(["provider-a", "provider-b", "anthropic-a", "provider-c", "provider-d"], providers.Select(p => p!["name"]!.GetValue<string>()));
        Assert.DoesNotContain("key-a", providers.ToJsonString());
    }

    private async Task<string> CircuitAsync(string provider)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/admin/providers");
        request.Headers.Authorization = new("Bearer", RouterHost.AdminKey);
        using var response = await _router.Client.SendAsync(request);
        var providers = (await response.Content.ReadFromJsonAsync<JsonArray>())!;
        return providers.Single(p => p!["name"]!.GetValue<string>() == provider)!["circuit"]!.GetValue<string>();
    }
}
