using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace IronAspire.Contracts.Budget;

/// <summary>
/// The Budget service over HTTP (<c>http://budget</c>, resolved by service discovery); register with
/// <see cref="BudgetClientExtensions.AddBudgetClient"/>. Reserve before a call, then commit with the usage or release.
/// </summary>
public sealed class BudgetClient(HttpClient http)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Reserves the worst case of a call. Never throws for a refusal or an outage: <see cref="BudgetReserveResult.Unavailable"/>
    /// covers 5xx and an unreachable service (fail closed). A <see cref="ReservationRequest.RequestId"/> is added when
    /// missing, so a retry of this request (by the resilience handler) cannot hold the budget twice.
    /// </summary>
    public async Task<BudgetReserveResult> ReserveAsync(ReservationRequest request, CancellationToken cancellationToken = default)
    {
        request = request.RequestId is null ? request with { RequestId = Guid.NewGuid().ToString("N") } : request;
        try
        {
            using var response = await http.PostAsJsonAsync("/v1/reservations", request, Json, cancellationToken);
            if (response.StatusCode == HttpStatusCode.Created)
            {
                return new BudgetReserveResult.Reserved((await response.Content.ReadFromJsonAsync<ReservationCreated>(Json, cancellationToken))!);
            }

            var problem = await ReadProblemAsync(response, cancellationToken);
            return response.StatusCode switch
            {
                HttpStatusCode.PaymentRequired => new BudgetReserveResult.Refused(
                    Text(problem, "scope") ?? "agent", Usd(problem, "spentUsd"), Usd(problem, "reservedUsd"), Usd(problem, "limitUsd"),
                    Text(problem, "detail") ?? "The budget cannot pay for this call."),
                HttpStatusCode.BadRequest => new BudgetReserveResult.Invalid(
                    Text(problem, "code") ?? "invalid_request", Describe(problem) ?? "The budget service refused the reservation as invalid."),
                _ => new BudgetReserveResult.Unavailable(Text(problem, "detail") ?? $"The budget service answered HTTP {(int)response.StatusCode}."),
            };
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new BudgetReserveResult.Unavailable($"The budget service cannot be reached: {ex.Message}");
        }
    }

    /// <summary>Commits the real usage. Idempotent. Throws <see cref="HttpRequestException"/> on a transient failure: retry it
    /// until it returns (any <see cref="BudgetSettleStatus"/> is final).</summary>
    public async Task<BudgetSettleResult> CommitAsync(string reservationId, CommitRequest usage, CancellationToken cancellationToken = default)
    {
        using var response = await http.PostAsJsonAsync($"/v1/reservations/{Uri.EscapeDataString(reservationId)}/commit", usage, Json, cancellationToken);
        return await SettledAsync(response, cancellationToken);
    }

    /// <summary>Releases the reservation (the call did not happen). Idempotent; throws on a transient failure, like commit.</summary>
    public async Task<BudgetSettleResult> ReleaseAsync(string reservationId, CancellationToken cancellationToken = default)
    {
        using var response = await http.DeleteAsync($"/v1/reservations/{Uri.EscapeDataString(reservationId)}", cancellationToken);
        return await SettledAsync(response, cancellationToken);
    }

    /// <summary>An agent's budget in the current period, or null when it has none.</summary>
    public Task<BudgetStatus?> GetAgentBudgetAsync(string agentId, CancellationToken cancellationToken = default) =>
        GetStatusAsync($"/v1/budgets/{Uri.EscapeDataString(agentId)}", cancellationToken);

    public Task<BudgetStatus> SetAgentBudgetAsync(string agentId, BudgetLimitRequest limit, CancellationToken cancellationToken = default) =>
        PutStatusAsync($"/v1/budgets/{Uri.EscapeDataString(agentId)}", limit, cancellationToken);

    public Task<BudgetStatus?> GetProjectBudgetAsync(string projectId, CancellationToken cancellationToken = default) =>
        GetStatusAsync($"/v1/projects/{Uri.EscapeDataString(projectId)}/budget", cancellationToken);

    public Task<BudgetStatus> SetProjectBudgetAsync(string projectId, BudgetLimitRequest limit, CancellationToken cancellationToken = default) =>
        PutStatusAsync($"/v1/projects/{Uri.EscapeDataString(projectId)}/budget", limit, cancellationToken);

    private static async Task<BudgetSettleResult> SettledAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        switch (response.StatusCode)
        {
            case HttpStatusCode.OK:
                var result = (await response.Content.ReadFromJsonAsync<CommitResult>(Json, cancellationToken))!;
                return new BudgetSettleResult(result.AlreadySettled ? BudgetSettleStatus.AlreadySettled : BudgetSettleStatus.Settled, result);
            case HttpStatusCode.Conflict or HttpStatusCode.Gone:
                var late = await ReadProblemAsync(response, cancellationToken);
                var reservationId = Text(late, "reservationId") ?? "";
                return new BudgetSettleResult(
                    BudgetSettleStatus.Late,
                    new CommitResult(reservationId, Usd(late, "costUsd"), Usd(late, "spentUsd"), Usd(late, "remainingUsd"), late?["alreadySettled"]?.GetValue<bool>() ?? false),
                    Text(late, "code"), Text(late, "detail"));
            case HttpStatusCode.NotFound or HttpStatusCode.BadRequest:
                var problem = await ReadProblemAsync(response, cancellationToken);
                return new BudgetSettleResult(
                    response.StatusCode == HttpStatusCode.NotFound ? BudgetSettleStatus.NotFound : BudgetSettleStatus.Rejected,
                    null, Text(problem, "code"), Describe(problem));
            default:
                response.EnsureSuccessStatusCode();
                throw new HttpRequestException($"The budget service answered HTTP {(int)response.StatusCode}.", null, response.StatusCode);
        }
    }

    private async Task<BudgetStatus?> GetStatusAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(path, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<BudgetStatus>(Json, cancellationToken);
    }

    private async Task<BudgetStatus> PutStatusAsync(string path, BudgetLimitRequest limit, CancellationToken cancellationToken)
    {
        using var response = await http.PutAsJsonAsync(path, limit, Json, cancellationToken);
        if (response.StatusCode == HttpStatusCode.BadRequest)
        {
            throw new ArgumentException(Describe(await ReadProblemAsync(response, cancellationToken)) ?? "Invalid budget limit.", nameof(limit));
        }

        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<BudgetStatus>(Json, cancellationToken))!;
    }

    private static async Task<JsonObject?> ReadProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken);
        }
        catch (JsonException)
        {
            // Not a ProblemDetails body (a proxy's error page): the status code alone decides.
            return null;
        }
    }

    private static string? Text(JsonObject? problem, string name) =>
        problem?[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static decimal Usd(JsonObject? problem, string name) =>
        problem?[name] is JsonValue value && value.TryGetValue<decimal>(out var usd) ? usd : 0m;

    /// <summary>The detail, or the validation errors flattened ("inputTokens: must be ...").</summary>
    private static string? Describe(JsonObject? problem)
    {
        if (problem?["errors"] is JsonObject errors && errors.Count > 0)
        {
            return string.Join(" ", errors.Select(e => string.Create(CultureInfo.InvariantCulture,
                $"{e.Key}: {string.Join(" ", e.Value?.AsArray().Select(m => m?.ToString()) ?? [])}")));
        }

        return Text(problem, "detail");
    }
}
