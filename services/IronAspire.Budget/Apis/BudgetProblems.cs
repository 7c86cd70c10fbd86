using IronAspire.Budget.Budgets;
using Microsoft.AspNetCore.Diagnostics;
using StackExchange.Redis;

namespace Microsoft.AspNetCore.Builder;

/// <summary>The budget APIs' error answers (ProblemDetails with a <c>code</c>), shared by the endpoints.</summary>
internal static class BudgetProblems
{
    public static IResult ReservationNotFound(string reservationId) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: "Reservation not found",
        detail: $"No reservation '{reservationId}' (unknown, or settled more than a day after its deadline).",
        extensions: new Dictionary<string, object?> { ["code"] = "reservation_not_found" });

    public static IResult Unavailable(string reason) => TypedResults.Problem(
        statusCode: StatusCodes.Status503ServiceUnavailable,
        title: "Budget store unavailable",
        detail: reason,
        extensions: new Dictionary<string, object?> { ["code"] = "budget_unavailable" });
}

/// <summary>
/// Errors that escape an endpoint: Redis or PostgreSQL out of reach → 503 (fail closed), never a 500. A body that
/// cannot be read is ServiceDefaults' BadRequestExceptionHandler's (400).
/// </summary>
internal sealed class BudgetErrorHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title, code, detail) = exception switch
        {
            BudgetStoreUnavailableException e => (503, "Budget store unavailable", "budget_unavailable", e.Message),
            RedisConnectionException or RedisTimeoutException => (503, "Budget store unavailable", "budget_unavailable", "The budget store (Redis) cannot be reached."),
            Npgsql.NpgsqlException => (503, "Budget store unavailable", "budget_unavailable", "The budget ledger (PostgreSQL) cannot be reached."),
            _ => (0, "", "", ""),
        };
        if (status == 0)
        {
            return false;
        }

        context.Response.StatusCode = status;
        if (status == 503)
        {
            context.Response.Headers.RetryAfter = "1";
        }

        return await problems.TryWriteAsync(new()
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = { Status = status, Title = title, Detail = detail, Extensions = { ["code"] = code } },
        });
    }
}
