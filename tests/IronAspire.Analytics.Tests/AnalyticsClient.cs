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
}
