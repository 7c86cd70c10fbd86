using IronAspire.Contracts.Budget;

namespace Microsoft.Extensions.DependencyInjection;

public static class BudgetClientExtensions
{
    /// <summary>
    /// Registers <see cref="BudgetClient"/> as a typed HttpClient for <c>http://budget</c> (service discovery and the
    /// standard resilience handler come from ServiceDefaults' HttpClient defaults). Reservations carry a request id,
    /// so the handler's retries cannot reserve twice; commit and release are idempotent.
    /// </summary>
    public static IHttpClientBuilder AddBudgetClient(this IServiceCollection services, string baseAddress = "http://budget") =>
        services.AddHttpClient<BudgetClient>(http => http.BaseAddress = new Uri(baseAddress));
}
