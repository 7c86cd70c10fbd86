using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace IronAspire.Contracts.Analytics;

/// <summary>
/// The Analytics query API over HTTP (<c>http://analytics</c>, resolved by service discovery); register with
/// <see cref="AnalyticsClientExtensions.AddAnalyticsClient"/>.
/// </summary>
public sealed class AnalyticsClient(HttpClient http)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>An agent's recorded calls, newest first (<c>GET /v1/analytics/calls</c>).</summary>
    /// <exception cref="HttpRequestException">Analytics cannot be reached or did not answer 200.</exception>
    public async Task<IReadOnlyList<RecordedCall>> CallsAsync(string agentId, int limit, CancellationToken cancellationToken = default)
    {
        var query = $"/v1/analytics/calls?agentId={Uri.EscapeDataString(agentId)}&limit={limit.ToString(CultureInfo.InvariantCulture)}";
        return await http.GetFromJsonAsync<List<RecordedCall>>(query, Json, cancellationToken) ?? [];
    }
}
