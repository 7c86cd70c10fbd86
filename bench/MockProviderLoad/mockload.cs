// Closed-loop HTTP load against a running MockProvider (or anything that takes a JSON POST): N workers send the
// same request back to back for S seconds; prints requests/s and latency percentiles.
// Usage: dotnet run -c Release bench/MockProviderLoad/mockload.cs -- <base-url> <path> <json-body> <workers> <seconds>
using System.Diagnostics;
using System.Text;

var (url, path, body, workers, seconds) = (args[0], args[1], args[2], int.Parse(args[3]), int.Parse(args[4]));
using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = workers }) { BaseAddress = new Uri(url) };
var payload = Encoding.UTF8.GetBytes(body);

for (var i = 0; i < 2000; i++)
{
    await SendAsync();
}

var latencies = new List<long>[workers];
var stopAt = Stopwatch.GetTimestamp() + seconds * Stopwatch.Frequency;
var elapsed = Stopwatch.StartNew();
await Task.WhenAll(Enumerable.Range(0, workers).Select(async worker =>
{
    latencies[worker] = [];
    while (Stopwatch.GetTimestamp() < stopAt)
    {
        latencies[worker].Add(await SendAsync());
    }
}));

var sorted = latencies.SelectMany(l => l).Order().ToArray();
Console.WriteLine(
    $"{path} workers={workers}: {sorted.Length / elapsed.Elapsed.TotalSeconds:F0} req/s, " +
    $"p50 {Ms(sorted[sorted.Length / 2]):F2} ms, p99 {Ms(sorted[(int)(sorted.Length * 0.99)]):F2} ms, n={sorted.Length}");

async Task<long> SendAsync()
{
    var start = Stopwatch.GetTimestamp();
    using var content = new ByteArrayContent(payload);
    content.Headers.ContentType = new("application/json");
    using var response = await http.PostAsync(path, content);
    await response.Content.CopyToAsync(Stream.Null);
    if (!response.IsSuccessStatusCode)
    {
        throw new InvalidOperationException($"HTTP {(int)response.StatusCode}");
    }

    return Stopwatch.GetTimestamp() - start;
}

static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
