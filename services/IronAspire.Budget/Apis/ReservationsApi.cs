using IronAspire.Budget.Budgets;

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
            .WithSummary("Settle a reservation with the real usage; idempotent; 409/410 when it had been released/expired (the cost is still recorded)");
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
                detail: r.Message,
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
                detail: r.Message,
                extensions: new Dictionary<string, object?> { ["code"] = "budget_exceeded", ["scope"] = r.Scope, ["spentUsd"] = 0m, ["reservedUsd"] = 0m, ["limitUsd"] = 0m }),
            ReserveOutcome.UnknownPrice r => TypedResults.Problem(
                statusCode: StatusCodes.Status400BadRequest,
                title: "Unknown model price",
                detail: r.Message,
                extensions: new Dictionary<string, object?> { ["code"] = "unknown_model_price" }),
            ReserveOutcome.Unavailable r => BudgetProblems.Unavailable(r.Reason),
            _ => throw new InvalidOperationException("Unexpected reservation outcome."),
        };
    }

    public static async Task<IResult> Commit(string reservationId, CommitRequest usage, BudgetStore store)
    {
        if (BudgetValidation.Usage(usage) is { } invalid)
        {
            return invalid;
        }

        return await store.CommitAsync(reservationId, usage) switch
        {
            null => BudgetProblems.ReservationNotFound(reservationId),
            { Late: "expired" } late => Late(StatusCodes.Status410Gone, "reservation_expired", "Reservation expired",
                $"The reservation had expired and its budget was released before this commit; the cost {late.Result.CostUsd:0.#########} USD is recorded as spent anyway, because the call happened.", late),
            { Late: "released" } late => Late(StatusCodes.Status409Conflict, "reservation_released", "Reservation released",
                $"The reservation had been released before this commit; the cost {late.Result.CostUsd:0.#########} USD is recorded as spent anyway, because the call happened.", late),
            { } settled => TypedResults.Ok(settled.Result),
        };
    }

    public static async Task<IResult> Release(string reservationId, BudgetStore store) =>
        await store.ReleaseAsync(reservationId) is { } settled
            ? TypedResults.Ok(settled.Result)
            : BudgetProblems.ReservationNotFound(reservationId);

    private static IResult Late(int status, string code, string title, string detail, SettleOutcome outcome) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail, extensions: new Dictionary<string, object?>
        {
            ["code"] = code,
            ["reservationId"] = outcome.Result.ReservationId,
            ["costUsd"] = outcome.Result.CostUsd,
            ["spentUsd"] = outcome.Result.SpentUsd,
            ["remainingUsd"] = outcome.Result.RemainingUsd,
            ["alreadySettled"] = outcome.Result.AlreadySettled,
            ["recorded"] = true,
        });
}
