using IronAspire.Contracts.Budget;

namespace IronAspire.Router.Governance;

/// <summary>
/// Hands the Router's singletons a <see cref="BudgetClient"/> over a fresh HttpClient from the factory each time, so
/// the handlers (service discovery, resilience) rotate as the factory intends instead of being captured forever.
/// </summary>
public sealed class BudgetClientFactory(IHttpClientFactory httpClientFactory)
{
    public BudgetClient Create() => new(httpClientFactory.CreateClient(nameof(BudgetClient)));
}
