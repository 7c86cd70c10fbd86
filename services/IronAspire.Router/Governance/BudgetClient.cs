using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IronAspire.Contracts.Budget;

namespace IronAspire.Router.Governance;

/// <summary>The Budget service over HTTP (http://budget, resolved by service discovery).</summary>
public sealed class BudgetClient(IHttpClientFactory httpClientFactory)
{
    public const string HttpClientName = "budget";

    private HttpClient Http => httpClientFactory.CreateClient(HttpClientName);

    public abstract record ReserveResult
    {
        public sealed record Reserved(ReservationCreated Reservation) : ReserveResult;

        public sealed record Refused(int Status, string Code, string Message) : ReserveResult;
    }

    public async Task<ReserveResult> ReserveAsync(ReservationRequest request, CancellationToken cancellationToken)
    {
        using var response = await Http.PostAsJsonAsync("/v1/reservations", request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.Created)
        {
            return new ReserveResult.Reserved((await response.Content.ReadFromJsonAsync<ReservationCreated>(cancellationToken))!);
        }

        // The service answers refusals as ProblemDetails with a code; its detail is written for the agent's operator.
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken);
        return new ReserveResult.Refused(
            (int)response.StatusCode,
            problem?["code"]?.GetValue<string>() ?? (response.StatusCode == HttpStatusCode.PaymentRequired ? "budget_exceeded" : "budget_unavailable"),
            problem?["detail"]?.GetValue<string>() ?? $"The budget service answered HTTP {(int)response.StatusCode}.");
    }

    /// <summary>Returns the committed cost in USD, or null when the reservation no longer exists (nothing left to settle).</summary>
    public async Task<decimal?> CommitAsync(string reservationId, CommitRequest usage, CancellationToken cancellationToken)
    {
        using var response = await Http.PostAsJsonAsync($"/v1/reservations/{reservationId}/commit", usage, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<CommitResult>(cancellationToken))!.CostUsd;
    }

    public async Task<bool> ReleaseAsync(string reservationId, CancellationToken cancellationToken)
    {
        using var response = await Http.DeleteAsync($"/v1/reservations/{reservationId}", cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        response.EnsureSuccessStatusCode();
        return true;
    }
}
