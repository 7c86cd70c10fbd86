using IronAspire.Budget.Budgets;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Reserve the worst case before a call, commit the real cost after it, or release it.</summary>
public static class ReservationsApi
{
    public static IEndpointRouteBuilder MapReservationsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1/reservations").WithTags("Reservations");
        api.MapPost("", Reserve).WithName("reservations.create")
            .WithSummary("Reserve the worst-case cost of a call (201), or 402 when a budget cannot pay for it");
        api.MapPost("/{reservationId}/commit", Commit).WithName("reservations.commit")
            .WithSummary("Settle a reservation with the real usage; idempotent");
        api.MapDelete("/{reservationId}", Release).WithName("reservations.release")
            .WithSummary("Release a reservation (the call did not happen); idempotent");
        return app;
    }

    public static async Task<IResult> Reserve(ReservationRequest request, BudgetStore store)
    {
        if (BudgetValidation.Reservation(request) is { } invalid)
        {
            return invalid;
        }

        return await store.ReserveAsync(request) switch
        {
            ReserveOutcome.Reserved r => TypedResults.Created($"/v1/reservations/{r.Reservation.ReservationId}", r.Reservation),
            ReserveOutcome.Refused r => TypedResults.Problem(
                statusCode: StatusCodes.Status402PaymentRequired,
                title: "Budget exceeded",
                detail: $"The {r.Scope} budget cannot pay for this call: spent {r.SpentUsd} USD and {r.ReservedUsd} USD reserved of a {r.LimitUsd} USD limit; this call may cost up to {r.EstimateUsd} USD.",
                extensions: new Dictionary<string, object?>
                {
                    ["code"] = "budget_exceeded",
                    ["scope"] = r.Scope,
                    ["spentUsd"] = r.SpentUsd,
                    ["reservedUsd"] = r.ReservedUsd,
                    ["limitUsd"] = r.LimitUsd,
                    ["estimateUsd"] = r.EstimateUsd,
                }),
            ReserveOutcome.NoBudget r => TypedResults.Problem(
                statusCode: StatusCodes.Status402PaymentRequired,
                title: "No budget",
                detail: $"This {r.Scope} has no budget; set one with PUT /v1/budgets/{{agentId}}.",
                extensions: new Dictionary<string, object?> { ["code"] = "budget_exceeded", ["scope"] = r.Scope, ["spentUsd"] = 0m, ["reservedUsd"] = 0m, ["limitUsd"] = 0m }),
            ReserveOutcome.UnknownPrice r => TypedResults.Problem(
                statusCode: StatusCodes.Status400BadRequest,
                title: "Unknown model price",
                detail: $"The model '{r.Model}' has no price, so its cost cannot be bounded. Add it to Budget:Prices or set Budget:DefaultPrice.",
                extensions: new Dictionary<string, object?> { ["code"] = "unknown_model_price" }),
            ReserveOutcome.Unavailable r => TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Budget store unavailable", detail: r.Reason),
            _ => throw new InvalidOperationException("Unexpected reservation outcome."),
        };
    }

    public static async Task<Results<Ok<CommitResult>, NotFound<ProblemDetailsBody>, ProblemHttpResult>> Commit(string reservationId, CommitRequest usage, BudgetStore store)
    {
        if (usage.InputTokens < 0 || usage.OutputTokens < 0 || usage.CachedInputTokens < 0 || usage.CachedInputTokens > usage.InputTokens)
        {
            return TypedResults.Problem(statusCode: 400, title: "Invalid usage", detail: "Token counts must be non-negative, and cached input tokens at most the input tokens.");
        }

        return await store.CommitAsync(reservationId, usage) is { } result
            ? TypedResults.Ok(result)
            : TypedResults.NotFound(ProblemDetailsBody.NotFound(reservationId));
    }

    public static async Task<Results<Ok<CommitResult>, NotFound<ProblemDetailsBody>>> Release(string reservationId, BudgetStore store) =>
        await store.ReleaseAsync(reservationId) is { } result
            ? TypedResults.Ok(result)
            : TypedResults.NotFound(ProblemDetailsBody.NotFound(reservationId));
}

/// <summary>A ProblemDetails body for typed 404 results.</summary>
public sealed record ProblemDetailsBody(string Type, string Title, int Status, string Detail)
{
    public static ProblemDetailsBody NotFound(string reservationId) =>
        new("https://tools.ietf.org/html/rfc9110#section-15.5.5", "Reservation not found", 404, $"No reservation '{reservationId}' (unknown, or settled more than a day ago).");
}
