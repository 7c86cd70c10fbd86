using IronAspire.Budget.Budgets;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Input checks of the budget APIs: a clear 400 instead of a bad number reaching Redis.</summary>
internal static class BudgetValidation
{
    public static IResult? Reservation(ReservationRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.AgentId) || request.AgentId.Length > 200)
        {
            errors["agentId"] = ["agentId is required (at most 200 characters)."];
        }

        if (request.ProjectId is { Length: 0 or > 200 })
        {
            errors["projectId"] = ["projectId, when given, is 1-200 characters."];
        }

        if (string.IsNullOrWhiteSpace(request.Model))
        {
            errors["model"] = ["model is required."];
        }

        if (request.InputTokens is < 0 or > 100_000_000)
        {
            errors["inputTokens"] = ["inputTokens must be between 0 and 100,000,000."];
        }

        if (request.MaxOutputTokens is < 0 or > 10_000_000)
        {
            errors["maxOutputTokens"] = ["maxOutputTokens must be between 0 and 10,000,000."];
        }

        if (request.TtlSeconds is < 1 or > 86_400)
        {
            errors["ttlSeconds"] = ["ttlSeconds must be between 1 and 86,400."];
        }

        return errors.Count > 0 ? TypedResults.ValidationProblem(errors) : null;
    }

    public static IResult? Limit(BudgetLimitRequest request, out BudgetPeriod period)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.LimitUsd is < 0 or > 1_000_000_000)
        {
            errors["limitUsd"] = ["limitUsd must be between 0 and 1,000,000,000."];
        }

        if (!BudgetPeriods.TryParse(request.Period, out period))
        {
            errors["period"] = ["period must be lifetime, daily or monthly."];
        }

        return errors.Count > 0 ? TypedResults.ValidationProblem(errors) : null;
    }
}
