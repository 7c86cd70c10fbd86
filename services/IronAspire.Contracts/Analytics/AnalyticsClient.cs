using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace IronAspire.Contracts.Analytics;

/// <summary>
/// The Analytics query API over HTTP (<c>http://analytics</c>, resolved by service discovery); register with
/// <see cref="AnalyticsClientExtensions.AddAnalyticsClient"/>. Analytics requires a credential (docs/security.md): the
/// caller adds one to the registration (the Supervisor's <c>AddAdminCredential()</c>).
/// </summary>
public sealed class AnalyticsClient(HttpClient http)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// One page of an agent's call log, newest first (<c>GET /v1/analytics/calls?agentId=</c>); <see cref="CallPage.Next"/>
    /// is the cursor of the following, older page.
    /// </summary>
    /// <exception cref="HttpRequestException">Analytics cannot be reached or did not answer 200 (400: a cursor it did not issue).</exception>
    public async Task<CallPage> CallsAsync(string agentId, int limit, string? cursor = null, CancellationToken cancellationToken = default)
    {
        var query = $"/v1/analytics/calls?agentId={Uri.EscapeDataString(agentId)}&limit={limit.ToString(CultureInfo.InvariantCulture)}"
            + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}");
        return await http.GetFromJsonAsync<CallPage>(query, Json, cancellationToken) ?? new CallPage([], null);
    }

    /// <summary>
    /// Any GET of the query API, answered as Analytics answered it (for a caller that passes the answer on, such as the
    /// Supervisor's <c>/v1/analytics/*</c>).
    /// </summary>
    public Task<HttpResponseMessage> GetAsync(string pathAndQuery, CancellationToken cancellationToken = default) =>
        http.GetAsync(pathAndQuery, HttpCompletionOption.ResponseContentRead, cancellationToken);
}
