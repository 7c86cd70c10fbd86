using IronAspire.Analytics.Apis;
using IronAspire.Analytics.Queries;
using IronAspire.Contracts.Analytics;
using Microsoft.AspNetCore.Http.HttpResults;

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
            .WithSummary("Stored budget, circuit and agent events, newest first (type = BudgetThresholdCrossed, BudgetExhausted, CircuitStateChanged, AgentStateChanged).");
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
        TimeBucket width = TimeBucket.Minute;
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

        if (!query.TryParse(errors, out var filter, out _))
        {
            return TypedResults.ValidationProblem(errors);
        }

        var step = width == TimeBucket.Minute ? TimeSpan.FromMinutes(1) : TimeSpan.FromHours(1);
        var to = filter.To ?? time.GetUtcNow();
        var from = filter.From ?? to - step * (width == TimeBucket.Minute ? 60 : 24);
        if ((to - from) / step > MaxBuckets)
        {
            errors["from"] = [$"The range from {from:o} to {to:o} has more than {MaxBuckets} {bucket ?? "minute"} buckets; narrow it or use bucket=hour."];
            return TypedResults.ValidationProblem(errors);
        }

        var points = await queries.TimeseriesAsync(filter with { From = from, To = to }, width, cancellationToken);
        return TypedResults.Ok(points);
    }

    private static async Task<Results<Ok<IReadOnlyList<GovernanceEventEntry>>, ValidationProblem>> GetEventsAsync(
        string? type, string? from, string? to, string? limit, AnalyticsQueries queries, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var parameters = new AnalyticsQueryParameters(null, null, null, null, from, to, limit);
        if (type is not null && type is not ("BudgetThresholdCrossed" or "BudgetExhausted" or "CircuitStateChanged" or "AgentStateChanged"))
        {
            errors["type"] = [$"type '{type}' is unknown; use BudgetThresholdCrossed, BudgetExhausted, CircuitStateChanged or AgentStateChanged."];
        }

        if (!parameters.TryParse(errors, out var filter, out var max))
        {
            return TypedResults.ValidationProblem(errors);
        }

        return TypedResults.Ok(await queries.EventsAsync(type, filter.From, filter.To, max, cancellationToken));
    }

    private static LatencyPercentiles Latency(UsageRow row) => new(row.P50, row.P95, row.P99);
}
