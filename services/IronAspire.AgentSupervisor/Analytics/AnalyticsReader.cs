namespace IronAspire.AgentSupervisor.Analytics;

/// <summary>The Analytics service's query API (<c>http://analytics</c> through service discovery), read on the console's behalf.</summary>
public sealed class AnalyticsReader(HttpClient http)
{
    public Task<HttpResponseMessage> GetAsync(string pathAndQuery, CancellationToken cancellationToken) =>
        http.GetAsync(pathAndQuery, HttpCompletionOption.ResponseContentRead, cancellationToken);
}
