using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;

namespace IronAspire.Load.Benchmarks;

/// <summary>One target of the benchmark: where calls go and the headers they carry besides the agent key.</summary>
public sealed record Target(string Name, Uri Uri, IReadOnlyList<KeyValuePair<string, string>> Headers)
{
    /// <summary>The filter value that selects it (direct, bare, reserving, router, portkey).</summary>
    public string FilterName => Name.Split(' ')[0];
}

/// <summary>The rows of one run of the benchmark, every target at every client count, then the circuit row.</summary>
public sealed class Scenarios(HttpClient http, string key, RowCostMeter meter, TimeSpan duration)
{
    private const string Prompt = "Summarise the plot of a short story about a lighthouse keeper.";
    private const string Body = $$"""{"model":"gpt-4o-mini","max_tokens":64,"messages":[{"role":"user","content":"{{Prompt}}"}]}""";
    private const string StreamBody = $$"""{"model":"gpt-4o-mini","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"{{Prompt}}"}]}""";
    // The same call for a Claude model: the Router translates it to Messages for the MockProvider's Anthropic API and back.
    private const string TranslatedBody = $$"""{"model":"claude-haiku-4-5","max_tokens":64,"messages":[{"role":"user","content":"{{Prompt}}"}]}""";
    private const string TranslatedStreamBody = $$"""{"model":"claude-haiku-4-5","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"{{Prompt}}"}]}""";
    private const string Messages = "/v1/messages";

    /// <summary>Checks every target answers a real chat completion (a 200 alone could be an error page or an empty body).</summary>
    public async Task VerifyAsync(IEnumerable<Target> targets)
    {
        foreach (var target in targets)
        {
            foreach (var body in target.FilterName == "router" ? new[] { Body, TranslatedBody } : [Body])
            {
                var (status, text) = await CallAsync(target, body);
                var completion = status == 200 ? JsonNode.Parse(text) : null;
                if (completion?["object"]?.GetValue<string>() != "chat.completion"
                    || completion["choices"]?[0]?["message"]?["content"]?.GetValue<string>() is not { Length: > 0 })
                {
                    throw new InvalidOperationException($"{target.Name} did not answer a chat completion: {status} {text}");
                }
            }

            var (streamStatus, stream) = await CallAsync(target, StreamBody);
            if (streamStatus != 200 || !stream.Contains("\"chat.completion.chunk\"", StringComparison.Ordinal) || !stream.TrimEnd().EndsWith("data: [DONE]", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"{target.Name} did not stream a chat completion: {streamStatus} {stream}");
            }

            Console.WriteLine($"{target.Name}: answers a chat completion and a stream of chunks (200).");
        }
    }

    /// <summary>Every service on the call path compiles its hot code in tiers during its first seconds of load: measure the steady state, not the JIT.</summary>
    public async Task WarmUpAsync(Target router)
    {
        Console.WriteLine("Warming up every service for 10 s...");
        await LoadRun.RunAsync("warm-up", 16, TimeSpan.FromSeconds(5), ct => TimeAsync(router, Body, ct, firstByteOnly: false));
        await LoadRun.RunAsync("warm-up", 16, TimeSpan.FromSeconds(5), ct => TimeAsync(router, StreamBody, ct, firstByteOnly: true));
    }

    public async Task<List<LoadResult>> RunAsync(IReadOnlyList<Target> targets, int[] concurrencies)
    {
        var results = new List<LoadResult>();
        async Task Row(string scenario, int concurrency, Target target, string body, bool firstByteOnly)
        {
            results.Add(await LoadRun.RunAsync(scenario, concurrency, duration, ct => TimeAsync(target, body, ct, firstByteOnly),
                meter.WithRouterAllocations(target.FilterName == "router")));
            Console.WriteLine(results[^1]);
        }

        foreach (var concurrency in concurrencies)
        {
            foreach (var target in targets)
            {
                await Row($"chat non-streaming, {target.Name}", concurrency, target, Body, firstByteOnly: false);
                await Row($"chat streaming TTFB, {target.Name}", concurrency, target, StreamBody, firstByteOnly: true);
                if (target.FilterName == "router")
                {
                    await Row("chat non-streaming, router translated", concurrency, target, TranslatedBody, firstByteOnly: false);
                    // The whole stream, not the first byte: translation works on every event.
                    await Row("chat streaming whole, router", concurrency, target, StreamBody, firstByteOnly: false);
                    await Row("chat streaming whole, router translated", concurrency, target, TranslatedStreamBody, firstByteOnly: false);
                }
            }
        }

        return results;
    }

    /// <summary>
    /// The Router's 503 while a provider's circuit is open, at one client. The demo configuration serves claude-* from
    /// the MockProvider's Anthropic API as its own provider (mock-anthropic), which the translated rows have just used
    /// thousands of times: a circuit opens on the failure ratio (50 %) of the last 30 s, so a few failed calls no longer
    /// open it. Failures are driven from 16 clients (each fault with a Retry-After too long for the Router to retry)
    /// until the Router itself answers "circuit ... open"; then the same call without any fault is timed while it
    /// stays open (the break lasts 30 s, the row at most 21.5 s).
    /// </summary>
    public async Task<LoadResult?> CircuitOpenAsync(Target router, bool closeAfter)
    {
        var fault = new List<KeyValuePair<string, string>>(router.Headers) { new("x-mock-fault", "status:500"), new("x-mock-retry-after", "60") };
        var faulty = router with { Headers = fault };
        var stopwatch = Stopwatch.StartNew();
        using var opened = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            while (!opened.IsCancellationRequested)
            {
                try
                {
                    var (status, text) = await CallAsync(faulty, TranslatedBody, Messages);
                    if (status == 503 && text.Contains("circuit", StringComparison.Ordinal))
                    {
                        await opened.CancelAsync();
                    }
                }
                catch (HttpRequestException)
                {
                    // Counted by the breaker like any other failure; keep going.
                }
            }
        })));
        var (openStatus, openText) = await CallAsync(router, TranslatedBody, Messages);
        if (openStatus != 503 || !openText.Contains("circuit", StringComparison.Ordinal))
        {
            Console.WriteLine($"circuit open: the circuit did not open within 90 s ({openStatus} {openText}); row left out.");
            return null;
        }

        Console.WriteLine($"circuit open: mock-anthropic's circuit opened after {stopwatch.Elapsed.TotalSeconds:0.0} s of failing calls.");
        var result = await LoadRun.RunAsync("circuit open: 503 fail-fast, router", 1, TimeSpan.FromSeconds(Math.Min(duration.TotalSeconds, 20)),
            ct => TimeAsync(router, TranslatedBody, ct, firstByteOnly: false, expectedStatus: 503, path: Messages), meter.WithRouterAllocations(true));
        Console.WriteLine(result);
        if (closeAfter)
        {
            // The next run's translated rows need the provider back: its circuit half-opens after the break and a success closes it.
            for (var wait = Stopwatch.StartNew(); wait.Elapsed < TimeSpan.FromSeconds(90) && (await CallAsync(router, TranslatedBody, Messages)).Status != 200;)
            {
                await Task.Delay(1000);
            }
        }

        return result;
    }

    private async Task<(int Status, string Text)> CallAsync(Target target, string body, string path = "/v1/chat/completions")
    {
        using var request = Request(target, body, path);
        using var response = await http.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private HttpRequestMessage Request(Target target, string body, string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(target.Uri, path)) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new("Bearer", key);
        foreach (var (name, value) in target.Headers)
        {
            request.Headers.Add(name, value);
        }

        return request;
    }

    private async Task<double?> TimeAsync(Target target, string body, CancellationToken ct, bool firstByteOnly, int expectedStatus = 200, string path = "/v1/chat/completions")
    {
        using var request = Request(target, body, path);
        var stopwatch = Stopwatch.StartNew();
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        if ((int)response.StatusCode != expectedStatus)
        {
            return null;
        }

        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        var buffer = new byte[16 * 1024];
        var first = await stream.ReadAsync(buffer, ct);
        var ttfb = stopwatch.Elapsed.TotalMilliseconds;
        while (await stream.ReadAsync(buffer, ct) > 0)
        {
        }

        return first == 0 ? null : firstByteOnly ? ttfb : stopwatch.Elapsed.TotalMilliseconds;
    }
}
