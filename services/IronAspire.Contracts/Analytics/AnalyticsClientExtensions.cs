using IronAspire.Contracts.Analytics;

namespace Microsoft.Extensions.DependencyInjection;

public static class AnalyticsClientExtensions
{
    /// <summary>
    /// Registers <see cref="AnalyticsClient"/> as a typed HttpClient for <c>http://analytics</c> (service discovery and
    /// the standard resilience handler come from ServiceDefaults' HttpClient defaults; its reads are safe to retry).
    /// </summary>
    public static IHttpClientBuilder AddAnalyticsClient(this IServiceCollection services, string baseAddress = "http://analytics") =>
        services.AddHttpClient<AnalyticsClient>(http => http.BaseAddress = new Uri(baseAddress));
}
