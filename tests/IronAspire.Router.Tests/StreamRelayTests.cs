using System.Diagnostics;
using System.Net;
using IronAspire.MockProvider.Simulation;

namespace IronAspire.Router.Tests;

/// <summary>How the Router relays a provider's SSE stream over a real socket: event by event as the provider sends them.</summary>
public class StreamRelayTests : IAsyncLifetime
{
    private MockProviderHost _mock = null!;
    private RouterHost _router = null!;

    public async Task InitializeAsync()
    {
        _mock = await MockProviderHost.StartAsync();
        _router = await RouterHost.StartAsync(RouterHost.OpenAIAndAnthropic(_mock.Url));
    }

    public async Task DisposeAsync()
    {
        await _router.DisposeAsync();
        await _mock.DisposeAsync();
    }

    [Fact]
    public async Task Each_event_reaches_the_client_when_the_provider_sends_it_not_when_the_stream_ends()
    {
        // The provider pauses 150 ms before each content chunk: a relay that held events back would deliver them together.
        await _mock.SetFaultAsync(new FaultSettings(ChunkDelayMs: 150, Models: ["gpt-slow-stream"]));
        using var response = await _router.PostAsync("/v1/chat/completions", RouterHost.Chat("gpt-slow-stream", stream: true, maxTokens: 8));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var stopwatch = Stopwatch.StartNew();
        var arrivals = new List<TimeSpan>();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("data: {", StringComparison.Ordinal) && line.Contains("\"content\":\"", StringComparison.Ordinal))
            {
                arrivals.Add(stopwatch.Elapsed);
            }
        }

        await _mock.SetFaultAsync(null);
        Assert.True(arrivals.Count >= 3, $"several content events ({arrivals.Count})");
        var gaps = arrivals.Zip(arrivals.Skip(1), (a, b) => b - a).ToList();
        Assert.True(gaps.Count(g => g > TimeSpan.FromMilliseconds(100)) >= arrivals.Count - 2,
            "content events arrive spread out, one per provider chunk: " + string.Join(", ", gaps.Select(g => $"{g.TotalMilliseconds:0} ms")));
    }

    [Fact]
    public async Task Events_that_arrive_together_are_relayed_whole_and_in_order()
    {
        using var response = await _router.PostAsync("/v1/chat/completions", RouterHost.Chat("gpt-4o-mini", stream: true, maxTokens: 64));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();

        var events = body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.All(events, e => Assert.StartsWith("data: ", e));
        Assert.Equal("data: [DONE]", events[^1].Trim());
        var chunks = events[..^1].Select(e => System.Text.Json.Nodes.JsonNode.Parse(e["data: ".Length..])!).ToList();
        Assert.True(chunks.Count > 10, $"every chunk of the provider's stream ({chunks.Count})");
        Assert.All(chunks, c => Assert.Equal("chat.completion.chunk", c["object"]!.GetValue<string>()));
        // The usage chunk the Router asked for on the client's behalf is not shown to the client.
        Assert.DoesNotContain(chunks, c => c["usage"] is not null);
        Assert.Equal("stop", chunks[^1]["choices"]![0]!["finish_reason"]!.GetValue<string>());
    }
}
