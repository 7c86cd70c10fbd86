using System.Net.Http.Json;
using IronAspire.Contracts.Analytics;

namespace IronAspire.Analytics.Tests;

internal static class AnalyticsClient
{
    public static async Task<UsageSummary> SummaryAsync(this HttpClient client, string query = "")
    {
        var summary = await client.GetFromJsonAsync<UsageSummary>("/v1/analytics/summary" + query);
        return summary!;
    }

    /// <summary>Polls the summary until it reports <paramref name="requests"/> (or the time is up) and returns the last one.</summary>
    public static async Task<UsageSummary> WaitForRequestsAsync(this HttpClient client, string query, long requests, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var summary = await client.SummaryAsync(query);
            if (summary.Requests >= requests || DateTime.UtcNow > deadline)
            {
                return summary;
            }

            await Task.Delay(200);
        }
    }

    /// <summary>Polls until the summary counts <paramref name="requests"/> calls and <paramref name="piiDetections"/> PII
    /// findings (PII travels apart from the calls), or the time is up; returns the last summary.</summary>
    public static async Task<UsageSummary> WaitForCallsAsync(this HttpClient client, string query, long requests, long piiDetections, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var summary = await client.WaitForRequestsAsync(query, requests, timeout);
        while (summary.PiiDetections.Values.Sum() < piiDetections && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
            summary = await client.SummaryAsync(query);
        }

        return summary;
    }
}
