using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace IronAspire.EndToEnd.Tests;

/// <summary>
/// A client that hangs up mid-stream still pays for what it was sent: the Router stops reading the provider's stream,
/// bills the text streamed so far, and the call is recorded as a failure with that usage.
/// </summary>
[Collection(IronAspireAppCollection.Name)]
public class ClientDisconnectTests(IronAspireAppFixture fixture)
{
    [Fact]
    public async Task A_client_that_disconnects_mid_stream_is_billed_for_the_text_it_received()
    {
        var agentId = "hangup-" + Guid.NewGuid().ToString("N")[..8];
        var key = await fixture.RegisterAgentKeyAsync(agentId);

        using var router = fixture.App.CreateHttpClient("router");
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions"))
        {
            request.Content = JsonContent.Create(new
            {
                model = "gpt-4o-mini", max_tokens = 400, stream = true,
                messages = new[] { new { role = "user", content = string.Concat(Enumerable.Repeat("the keeper climbs the stairs again. ", 60)) } },
            });
            request.Headers.Authorization = new("Bearer", key);
            // The provider echoes the ~500-token text one token per chunk, 100 ms apart: 40 s for the whole reply.
            // The client leaves after three chunks.
            request.Headers.Add("x-mock-mode", "echo");
            request.Headers.Add("x-mock-chunk-delay-ms", "100");
            using var response = await router.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            response.EnsureSuccessStatusCode();
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            var contentEvents = 0;
            while (contentEvents < 3 && await reader.ReadLineAsync() is { } line)
            {
                if (line.Contains("\"content\":\"", StringComparison.Ordinal) && !line.Contains("\"content\":\"\"", StringComparison.Ordinal))
                {
                    contentEvents++;
                }
            }

            Assert.Equal(3, contentEvents);
        }

        var status = await fixture.WaitSettledAsync($"/v1/budgets/{agentId}");
        var summary = await fixture.WaitForSummaryAsync(agentId, 1);

        // Settled within seconds, not the 40 s the whole stream takes: the Router stopped when the client left.
        Assert.Equal(0m, status["reservedUsd"]!.GetValue<decimal>());
        Assert.True(status["spentUsd"]!.GetValue<decimal>() > 0, "the streamed text is billed");
        Assert.Equal(1, summary["requests"]!.GetValue<long>());
        Assert.Equal(1, summary["failures"]!.GetValue<long>());
        var outputTokens = summary["outputTokens"]!.GetValue<long>();
        Assert.InRange(outputTokens, 1, 399);
    }
}
