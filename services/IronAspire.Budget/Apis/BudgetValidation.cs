using IronAspire.Budget.Budgets;
using IronAspire.Validation;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Input checks of the budget APIs: a clear 400 naming the field instead of a bad number reaching Redis.</summary>
internal static class BudgetValidation
{
    private const int MaxIdLength = 200;

    public static IResult? Reservation(ReservationRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        Id(errors, "agentId", request.AgentId);
        if (request.ProjectId is not null)
        {
            Id(errors, "projectId", request.ProjectId);
        }

        if (string.IsNullOrWhiteSpace(request.Model) || request.Model.Length > MaxIdLength || InputText.IsUnfitForId(request.Model))
        {
            errors["model"] = ["model is required: at most 200 characters, without control characters."];
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

        if (request.RequestId is { } requestId && (requestId.Length is 0 or > MaxIdLength || InputText.IsUnfitForId(requestId)))
        {
            errors["requestId"] = ["requestId, when given, is 1-200 characters without control characters."];
        }

        return Problem(errors);
    }

    public static IResult? Usage(CommitRequest usage)
    {
        var errors = new Dictionary<string, string[]>();
        if (usage.InputTokens is < 0 or > 100_000_000)
        {
            errors["inputTokens"] = ["inputTokens must be between 0 and 100,000,000."];
        }

        if (usage.OutputTokens is < 0 or > 10_000_000)
        {
            errors["outputTokens"] = ["outputTokens must be between 0 and 10,000,000."];
        }

        if (usage.CachedInputTokens < 0 || usage.CacheWriteInputTokens < 0 || usage.CachedInputTokens + usage.CacheWriteInputTokens > usage.InputTokens)
        {
            errors["cachedInputTokens"] = ["cachedInputTokens and cacheWriteInputTokens are non-negative and part of inputTokens (their sum at most inputTokens)."];
        }

        return Problem(errors);
    }

    public static IResult? Limit(string id, BudgetLimitRequest request, out BudgetPeriod period)
    {
        var errors = new Dictionary<string, string[]>();
        Id(errors, "id", id);
        if (request.LimitUsd is not { } limit)
        {
            errors["limitUsd"] = ["limitUsd is required."];
        }
        else if (limit is < 0 or > 1_000_000_000 || Nanos.ToUsd(Nanos.FromUsd(limit)) != limit)
        {
            errors["limitUsd"] = ["limitUsd must be between 0 and 1,000,000,000 with at most 9 decimals (nano-USD)."];
        }

        if (!BudgetPeriods.TryParse(request.Period, out period))
        {
            errors["period"] = ["period must be lifetime, daily or monthly."];
        }

        return Problem(errors);
    }

    private static void Id(Dictionary<string, string[]> errors, string field, string? value)
    {
        // Ids become part of Redis keys: no separators, no control characters.
        if (string.IsNullOrWhiteSpace(value) || value.Length > MaxIdLength || value.Contains(':') || value.Contains('|') || InputText.IsUnfitForId(value))
        {
            errors[field] = [$"{field} is required: 1-200 characters, without ':' '|' or control characters."];
        }
    }

    private static IResult? Problem(Dictionary<string, string[]> errors) =>
        errors.Count > 0
            ? TypedResults.ValidationProblem(errors, extensions: new Dictionary<string, object?> { ["code"] = "invalid_request" })
            : null;
}
