using IronAspire.Analytics;
using IronAspire.Analytics.Apis;
using IronAspire.Analytics.Queries;
using IronAspire.Contracts.Analytics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Microsoft.AspNetCore.Builder;

/// <summary>/v1/analytics: usage totals, per agent, per model, over time, and the stored governance events.</summary>
public static class AnalyticsApi
{
    /// <summary>At most this many buckets per timeseries request (a day of minutes is 1,440).</summary>
    public const int MaxBuckets = 10_000;

    public static IEndpointRouteBuilder MapAnalyticsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1/analytics").WithTags("Analytics");

        api.MapGet("/summary", GetSummaryAsync)
            .WithName("GetAnalyticsSummary")
            .WithSummary("Totals over the filtered calls: requests (failures included), failures, tokens, cost, PII counts by type, latency percentiles.");
        api.MapGet("/agents", GetAgentsAsync)
            .WithName("GetAnalyticsByAgent")
            .WithSummary("The same totals per agent, most expensive first.");
        api.MapGet("/models", GetModelsAsync)
            .WithName("GetAnalyticsByModel")
            .WithSummary("The same totals per model, most expensive first.");
        api.MapGet("/timeseries", GetTimeseriesAsync)
            .WithName("GetAnalyticsTimeseries")
            .WithSummary("Totals per minute or hour (bucket=minute|hour); defaults to the last hour (minute) or day (hour).");
        api.MapGet("/events", GetEventsAsync)
            .WithName("GetGovernanceEvents")
            .WithSummary("Stored budget, circuit and agent events, newest first (type = BudgetThresholdCrossed, BudgetExhausted, CircuitStateChanged, AgentStateChanged; subject = a budget, provider or agent id).");
        api.MapGet("/timeseries/breakdown", GetBreakdownAsync)
            .WithName("GetAnalyticsBreakdown")
            .WithSummary("Per bucket and per group (by=model|agent|provider|errorType; errorType counts failed calls only): calls, failures, tokens, cost.");
        api.MapGet("/calls", GetCallsAsync)
            .WithName("GetCalls")
            .WithSummary("The call log, newest first, paged with cursor (status=completed|failed, errorType, and the common filters). Never content.");
        api.MapGet("/calls/{eventId}", GetCallAsync)
            .WithName("GetCall")
            .WithSummary("One call: ids, usage, cost, latency and the PII entity counts by type found in it (never a value).");
        api.MapGet("/failures", GetFailuresAsync)
            .WithName("GetFailuresByType")
            .WithSummary("Failed calls per error code (budget_exceeded, rate_limit_exceeded, upstream_error, ...), most frequent first.");
        return app;
    }

    private static async Task<Results<Ok<UsageSummary>, ValidationProblem>> GetSummaryAsync(
        [AsParameters] AnalyticsQueryParameters query, AnalyticsQueries queries, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (!query.TryParse(errors, out var filter, out _))
        {
            return TypedResults.ValidationProblem(errors);
        }

        var row = (await queries.UsageAsync(filter, UsageGrouping.None, 1, cancellationToken))[0];
        return TypedResults.Ok(new UsageSummary(row.Requests, row.Failures, row.InputTokens, row.CachedInputTokens,
            row.OutputTokens, row.CostUsd, row.PiiDetections, Latency(row), row.RateLimited));
    }

    private static async Task<Results<Ok<IReadOnlyList<AgentUsage>>, ValidationProblem>> GetAgentsAsync(
        [AsParameters] AnalyticsQueryParameters query, AnalyticsQueries queries, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (!query.TryParse(errors, out var filter, out var limit))
        {
            return TypedResults.ValidationProblem(errors);
        }

        var rows = await queries.UsageAsync(filter, UsageGrouping.Agent, limit, cancellationToken);
        return TypedResults.Ok<IReadOnlyList<AgentUsage>>(rows.Select(r => new AgentUsage(r.Key, r.Requests, r.Failures,
            r.InputTokens, r.CachedInputTokens, r.OutputTokens, r.CostUsd, r.PiiDetections, Latency(r), r.RateLimited)).ToList());
    }

    private static async Task<Results<Ok<IReadOnlyList<ModelUsage>>, ValidationProblem>> GetModelsAsync(
        [AsParameters] AnalyticsQueryParameters query, AnalyticsQueries queries, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (!query.TryParse(errors, out var filter, out var limit))
        {
            return TypedResults.ValidationProblem(errors);
        }

        var rows = await queries.UsageAsync(filter, UsageGrouping.Model, limit, cancellationToken);
        return TypedResults.Ok<IReadOnlyList<ModelUsage>>(rows.Select(r => new ModelUsage(r.Key, r.Requests, r.Failures,
            r.InputTokens, r.CachedInputTokens, r.OutputTokens, r.CostUsd, r.PiiDetections, Latency(r), r.RateLimited)).ToList());
    }

    private static async Task<Results<Ok<IReadOnlyList<UsagePoint>>, ValidationProblem>> GetTimeseriesAsync(
        [AsParameters] AnalyticsQueryParameters query, string? bucket, AnalyticsQueries queries, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        return TryTimeseries(query, bucket, time, errors, out var filter, out var width)
            ? TypedResults.Ok(await queries.TimeseriesAsync(filter, width, cancellationToken))
            : TypedResults.ValidationProblem(errors);
    }

    private static async Task<Results<Ok<IReadOnlyList<BreakdownPoint>>, ValidationProblem>> GetBreakdownAsync(
        [AsParameters] AnalyticsQueryParameters query, string? bucket, string? by, AnalyticsQueries queries, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        BreakdownKey? key = by?.ToLowerInvariant() switch
        {
            null or "model" => BreakdownKey.Model,
            "agent" => BreakdownKey.Agent,
            "provider" => BreakdownKey.Provider,
            "errortype" => BreakdownKey.ErrorType,
            _ => null,
        };
        if (key is null)
        {
            errors["by"] = [$"by '{by}' is unknown; use model, agent, provider or errorType."];
        }

        return TryTimeseries(query, bucket, time, errors, out var filter, out var width)
            ? TypedResults.Ok(await queries.BreakdownAsync(filter, width, key!.Value, cancellationToken))
            : TypedResults.ValidationProblem(errors);
    }

    /// <summary>The bucket width and the range of a timeseries: by default the last 60 minutes or 24 hours, at most <see cref="MaxBuckets"/> buckets.</summary>
    private static bool TryTimeseries(AnalyticsQueryParameters query, string? bucket, TimeProvider time, Dictionary<string, string[]> errors,
        out AnalyticsFilter filter, out TimeBucket width)
    {
        width = TimeBucket.Minute;
        switch (bucket?.ToLowerInvariant())
        {
            case null or "minute":
                break;
            case "hour":
                width = TimeBucket.Hour;
                break;
            default:
                errors["bucket"] = [$"bucket '{bucket}' is unknown; use minute or hour."];
                break;
        }

        if (!query.TryParse(errors, out filter, out _))
        {
            return false;
        }

        var step = width == TimeBucket.Minute ? TimeSpan.FromMinutes(1) : TimeSpan.FromHours(1);
        var to = filter.To ?? time.GetUtcNow();
        var from = filter.From ?? to - step * (width == TimeBucket.Minute ? 60 : 24);
        if ((to - from) / step > MaxBuckets)
        {
            errors["from"] = [$"The range from {from:o} to {to:o} has more than {MaxBuckets} {bucket ?? "minute"} buckets; narrow it or use bucket=hour."];
            return false;
        }

        filter = filter with { From = from, To = to };
        return true;
    }

    private static async Task<Results<Ok<CallPage>, ValidationProblem>> GetCallsAsync(
        [AsParameters] AnalyticsQueryParameters query, string? status, string? errorType, string? cursor, AnalyticsQueries queries,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        bool? failed = status?.ToLowerInvariant() switch
        {
            null => null,
            "completed" => false,
            "failed" => true,
            _ => null,
        };
        if (status is not null && failed is null)
        {
            errors["status"] = [$"status '{status}' is unknown; use completed or failed."];
        }

        if (errorType is { Length: 0 or > 200 })
        {
            errors["errorType"] = ["errorType, when given, must be 1-200 characters."];
        }

        CallCursor? after = null;
        if (cursor is not null && (after = CallCursor.Parse(cursor)) is null)
        {
            errors["cursor"] = ["cursor is not one this API returned (take it from a page's next)."];
        }

        if (!query.TryParse(errors, out var filter, out var limit, defaultLimit: 50))
        {
            return TypedResults.ValidationProblem(errors);
        }

        return TypedResults.Ok(await queries.CallsAsync(filter, new CallFilter(errorType is null ? failed : true, errorType), after, limit, cancellationToken));
    }

    private static async Task<Results<Ok<CallDetails>, ValidationProblem, ProblemHttpResult>> GetCallAsync(
        string eventId, AnalyticsQueries queries, IOptions<AnalyticsOptions> options, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(eventId, out var id))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["eventId"] = [$"eventId '{eventId}' is not a GUID."] });
        }

        return await queries.CallAsync(id, cancellationToken) is { } call
            ? TypedResults.Ok(call)
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Call not found",
                detail: $"There is no call with event id {id} in the raw window (calls are kept {options.Value.RetentionDays} days).");
    }

    private static async Task<Results<Ok<IReadOnlyList<FailureCount>>, ValidationProblem>> GetFailuresAsync(
        [AsParameters] AnalyticsQueryParameters query, AnalyticsQueries queries, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        return query.TryParse(errors, out var filter, out _)
            ? TypedResults.Ok(await queries.FailuresAsync(filter, cancellationToken))
            : TypedResults.ValidationProblem(errors);
    }

    private static async Task<Results<Ok<IReadOnlyList<GovernanceEventEntry>>, ValidationProblem>> GetEventsAsync(
        string? type, string? subject, string? from, string? to, string? limit, AnalyticsQueries queries, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var parameters = new AnalyticsQueryParameters(null, null, null, null, from, to, limit);
        if (subject is { Length: 0 or > 200 })
        {
            errors["subject"] = ["subject, when given, must be 1-200 characters (a budget, provider or agent id)."];
        }

        if (type is not null && type is not ("BudgetThresholdCrossed" or "BudgetExhausted" or "CircuitStateChanged" or "AgentStateChanged"))
        {
            errors["type"] = [$"type '{type}' is unknown; use BudgetThresholdCrossed, BudgetExhausted, CircuitStateChanged or AgentStateChanged."];
        }

        if (!parameters.TryParse(errors, out var filter, out var max))
        {
            return TypedResults.ValidationProblem(errors);
        }

        return TypedResults.Ok(await queries.EventsAsync(type, subject, filter.From, filter.To, max, cancellationToken));
    }

    private static LatencyPercentiles Latency(UsageRow row) => new(row.P50, row.P95, row.P99);
}
