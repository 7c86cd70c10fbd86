namespace IronAspire.AgentSupervisor.Analytics;

/// <summary>The Analytics service's query API (<c>http://analytics</c> through service discovery), read on the console's behalf.</summary>
public sealed class AnalyticsReader(HttpClient http)
{
    /// <param name="authorization">The caller's admin key, passed on: Analytics gets the same key from the AppHost.</param>
    public Task<HttpResponseMessage> GetAsync(string pathAndQuery, string? authorization, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, pathAndQuery);
        if (!string.IsNullOrEmpty(authorization))
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        return http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
    }
}
