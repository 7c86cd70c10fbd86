using System.Data.Common;
using System.Text;
using System.Text.Json;
using IronAspire.Analytics.Data;
using IronAspire.Analytics.Retention;
using IronAspire.Contracts.Analytics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace IronAspire.Analytics.Queries;

/// <summary>
/// The read side. Everything is aggregated in PostgreSQL (sums, counts, percentile_cont), never by loading rows.
/// Whole UTC days before the retention horizon come from daily_usage / daily_pii, the rest from the raw tables
/// (so totals survive retention; latency percentiles and per-model PII cover the raw window only).
/// The one listing of rows, <see cref="CallsAsync"/>, is bounded by its limit.
/// </summary>
public sealed partial class AnalyticsQueries(AnalyticsDbContext db, IOptions<AnalyticsOptions> options, TimeProvider time)
{
    public async Task<IReadOnlyList<UsageRow>> UsageAsync(AnalyticsFilter filter, UsageGrouping grouping, int limit, CancellationToken cancellationToken)
    {
        var window = Window(filter);
        var rawKey = grouping switch { UsageGrouping.Agent => "agent_id", UsageGrouping.Model => "model", _ => "''" };
        var sql = new StringBuilder();
        var parameters = new List<NpgsqlParameter>();
        var rawWhere = RawWhere(filter, window, parameters, alias: "");
        var aggWhere = AggregateWhere(filter, window, parameters, includeProviderModel: true);
        parameters.Add(new NpgsqlParameter<int>("limit", limit));
        sql.Append($"""
            WITH raw AS (
                SELECT {rawKey} AS key, count(*) AS requests, count(*) FILTER (WHERE failed) AS failures,
                       count(*) FILTER (WHERE error_type = 'rate_limit_exceeded') AS rate_limited,
                       sum(input_tokens)::bigint AS input_tokens, sum(cached_input_tokens)::bigint AS cached_input_tokens,
                       sum(output_tokens)::bigint AS output_tokens, sum(cost_usd) AS cost_usd,
                       percentile_cont(ARRAY[0.5, 0.95, 0.99]::float8[]) WITHIN GROUP (ORDER BY latency_ms) FILTER (WHERE NOT failed) AS p
                FROM llm_requests WHERE {rawWhere} GROUP BY 1
            ), agg AS (
                SELECT {rawKey} AS key, sum(requests)::bigint AS requests, sum(failures)::bigint AS failures,
                       sum(rate_limited)::bigint AS rate_limited,
                       sum(input_tokens)::bigint AS input_tokens, sum(cached_input_tokens)::bigint AS cached_input_tokens,
                       sum(output_tokens)::bigint AS output_tokens, sum(cost_usd) AS cost_usd
                FROM daily_usage WHERE {aggWhere} GROUP BY 1
            )
            SELECT coalesce(raw.key, agg.key),
                   coalesce(raw.requests, 0) + coalesce(agg.requests, 0),
                   coalesce(raw.failures, 0) + coalesce(agg.failures, 0),
                   coalesce(raw.input_tokens, 0) + coalesce(agg.input_tokens, 0),
                   coalesce(raw.cached_input_tokens, 0) + coalesce(agg.cached_input_tokens, 0),
                   coalesce(raw.output_tokens, 0) + coalesce(agg.output_tokens, 0),
                   coalesce(raw.cost_usd, 0) + coalesce(agg.cost_usd, 0) AS cost,
                   raw.p[1], raw.p[2], raw.p[3],
                   coalesce(raw.rate_limited, 0) + coalesce(agg.rate_limited, 0)
            FROM raw FULL OUTER JOIN agg ON raw.key = agg.key
            ORDER BY cost DESC, 1
            LIMIT @limit
            """);

        var rows = new List<UsageRow>();
        await using (var reader = await ExecuteReaderAsync(sql.ToString(), parameters, cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add(new UsageRow(
                    reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4),
                    reader.GetInt64(5), reader.GetDecimal(6), NullableDouble(reader, 7), NullableDouble(reader, 8),
                    NullableDouble(reader, 9), new Dictionary<string, long>(), reader.GetInt64(10)));
            }
        }

        var pii = await PiiAsync(filter, window, grouping, cancellationToken);
        if (grouping == UsageGrouping.None)
        {
            var overall = pii.GetValueOrDefault("") ?? new Dictionary<string, long>();
            return rows.Count == 0
                ? [new UsageRow("", 0, 0, 0, 0, 0, 0m, null, null, null, overall)]
                : [rows[0] with { PiiDetections = overall }];
        }

        return rows.Select(r => r with { PiiDetections = pii.GetValueOrDefault(r.Key) ?? new Dictionary<string, long>() }).ToList();
    }

    public async Task<IReadOnlyList<UsagePoint>> TimeseriesAsync(AnalyticsFilter filter, TimeBucket bucket, CancellationToken cancellationToken)
    {
        var unit = bucket == TimeBucket.Minute ? "minute" : "hour";
        var parameters = new List<NpgsqlParameter>();
        var where = RawWhere(filter, Window(filter), parameters, alias: "");
        var sql = $"""
            SELECT date_trunc('{unit}', timestamp AT TIME ZONE 'UTC') AS start, count(*), count(*) FILTER (WHERE failed),
                   sum(input_tokens)::bigint, sum(cached_input_tokens)::bigint, sum(output_tokens)::bigint, sum(cost_usd),
                   percentile_cont(ARRAY[0.5, 0.95, 0.99]::float8[]) WITHIN GROUP (ORDER BY latency_ms) FILTER (WHERE NOT failed) AS p
            FROM llm_requests WHERE {where}
            GROUP BY 1 ORDER BY 1
            """;
        var points = new List<UsagePoint>();
        await using var reader = await ExecuteReaderAsync(sql, parameters, cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var p = reader.IsDBNull(7) ? null : reader.GetFieldValue<double?[]>(7);
            points.Add(new UsagePoint(
                new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(0), DateTimeKind.Utc)),
                reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5), reader.GetDecimal(6),
                new LatencyPercentiles(p?[0], p?[1], p?[2])));
        }

        return points;
    }

    public async Task<IReadOnlyList<GovernanceEventEntry>> EventsAsync(string? type, string? subject, DateTimeOffset? from, DateTimeOffset? to, int limit,
        CancellationToken cancellationToken)
    {
        var parameters = new List<NpgsqlParameter> { new NpgsqlParameter<int>("limit", limit) };
        var where = new List<string> { "true" };
        if (type is not null)
        {
            where.Add("event_type = @type");
            parameters.Add(new NpgsqlParameter<string>("type", type));
        }

        if (subject is not null)
        {
            where.Add("subject = @subject");
            parameters.Add(new NpgsqlParameter<string>("subject", subject));
        }

        if (from is not null)
        {
            where.Add("timestamp >= @from");
            parameters.Add(new NpgsqlParameter<DateTimeOffset>("from", from.Value.ToUniversalTime()));
        }

        if (to is not null)
        {
            where.Add("timestamp < @to");
            parameters.Add(new NpgsqlParameter<DateTimeOffset>("to", to.Value.ToUniversalTime()));
        }

        var sql = $"SELECT event_id, event_type, subject, timestamp, payload::text FROM governance_events WHERE {string.Join(" AND ", where)} ORDER BY timestamp DESC LIMIT @limit";
        var events = new List<GovernanceEventEntry>();
        await using var reader = await ExecuteReaderAsync(sql, parameters, cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            using var payload = JsonDocument.Parse(reader.GetString(4));
            events.Add(new GovernanceEventEntry(reader.GetGuid(0), reader.GetString(1), reader.GetString(2),
                reader.GetFieldValue<DateTimeOffset>(3), payload.RootElement.Clone()));
        }

        return events;
    }

    /// <summary>PII entity counts per group key and type.</summary>
    private async Task<Dictionary<string, Dictionary<string, long>>> PiiAsync(AnalyticsFilter filter, QueryWindow window, UsageGrouping grouping, CancellationToken cancellationToken)
    {
        var parameters = new List<NpgsqlParameter>();
        var rawWhere = RawWhere(filter with { Provider = null, Model = null }, window, parameters, alias: "p.");
        var byModel = grouping == UsageGrouping.Model || filter.Provider is not null || filter.Model is not null;
        var rawKey = grouping switch { UsageGrouping.Agent => "p.agent_id", UsageGrouping.Model => "r.model", _ => "''" };
        var join = "";
        if (byModel)
        {
            // PII events carry no model: take it from the call they belong to (raw rows only).
            join = "JOIN LATERAL (SELECT r.provider, r.model FROM llm_requests r WHERE r.request_id = p.request_id LIMIT 1) r ON true";
            if (filter.Provider is not null)
            {
                rawWhere += " AND r.provider = @provider";
                parameters.Add(new NpgsqlParameter<string>("provider", filter.Provider));
            }

            if (filter.Model is not null)
            {
                rawWhere += " AND r.model = @model";
                parameters.Add(new NpgsqlParameter<string>("model", filter.Model));
            }
        }

        var sql = new StringBuilder($"""
            SELECT {rawKey} AS key, p.pii_type, sum(p.count)::bigint AS n
            FROM pii_detections p {join}
            WHERE {rawWhere}
            GROUP BY 1, 2
            """);
        if (!byModel)
        {
            var aggKey = grouping == UsageGrouping.Agent ? "agent_id" : "''";
            var aggWhere = AggregateWhere(filter, window, parameters, includeProviderModel: false);
            sql.Append($"""

                UNION ALL
                SELECT {aggKey}, pii_type, sum(detections)::bigint FROM daily_pii WHERE {aggWhere} GROUP BY 1, 2
                """);
        }

        var result = new Dictionary<string, Dictionary<string, long>>();
        await using var reader = await ExecuteReaderAsync(sql.ToString(), parameters, cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var key = reader.GetString(0);
            if (!result.TryGetValue(key, out var counts))
            {
                result[key] = counts = new Dictionary<string, long>();
            }

            var type = reader.GetString(1);
            counts[type] = counts.GetValueOrDefault(type) + reader.GetInt64(2);
        }

        return result;
    }

    private QueryWindow Window(AnalyticsFilter filter)
    {
        var horizon = RetentionHorizon.For(time.GetUtcNow(), options.Value.RetentionDays);
        var rawFrom = filter.From is { } from && from > horizon ? from.ToUniversalTime() : horizon;
        DateOnly? aggFromDay = filter.From is { } f ? DateOnly.FromDateTime(f.UtcDateTime) : null;
        DateOnly? aggToDay = null;
        if (filter.To is { } to)
        {
            // Days before the horizon are whole: a day is in range when it starts before "to".
            var utc = to.UtcDateTime;
            aggToDay = DateOnly.FromDateTime(utc).AddDays(utc.TimeOfDay > TimeSpan.Zero ? 1 : 0);
        }

        return new QueryWindow(rawFrom, DateOnly.FromDateTime(horizon.UtcDateTime), aggFromDay, aggToDay);
    }

    private static string RawWhere(AnalyticsFilter filter, QueryWindow window, List<NpgsqlParameter> parameters, string alias)
    {
        var where = new List<string> { $"{alias}timestamp >= @raw_from" };
        Add(parameters, new NpgsqlParameter<DateTimeOffset>("raw_from", window.RawFrom));
        if (filter.To is { } to)
        {
            where.Add($"{alias}timestamp < @to");
            Add(parameters, new NpgsqlParameter<DateTimeOffset>("to", to.ToUniversalTime()));
        }

        AddCommon(filter, parameters, where, alias, includeProviderModel: true);
        return string.Join(" AND ", where);
    }

    private static string AggregateWhere(AnalyticsFilter filter, QueryWindow window, List<NpgsqlParameter> parameters, bool includeProviderModel)
    {
        var where = new List<string> { "day < @horizon_day" };
        Add(parameters, new NpgsqlParameter<DateOnly>("horizon_day", window.HorizonDay));
        if (window.AggregateFromDay is { } fromDay)
        {
            where.Add("day >= @agg_from_day");
            Add(parameters, new NpgsqlParameter<DateOnly>("agg_from_day", fromDay));
        }

        if (window.AggregateToDay is { } toDay)
        {
            where.Add("day < @agg_to_day");
            Add(parameters, new NpgsqlParameter<DateOnly>("agg_to_day", toDay));
        }

        AddCommon(filter, parameters, where, alias: "", includeProviderModel);
        return string.Join(" AND ", where);
    }

    private static void AddCommon(AnalyticsFilter filter, List<NpgsqlParameter> parameters, List<string> where, string alias, bool includeProviderModel)
    {
        if (filter.AgentId is not null)
        {
            where.Add($"{alias}agent_id = @agent_id");
            Add(parameters, new NpgsqlParameter<string>("agent_id", filter.AgentId));
        }

        if (filter.ProjectId is not null)
        {
            where.Add($"{alias}project_id = @project_id");
            Add(parameters, new NpgsqlParameter<string>("project_id", filter.ProjectId));
        }

        if (includeProviderModel && filter.Provider is not null)
        {
            where.Add($"{alias}provider = @provider");
            Add(parameters, new NpgsqlParameter<string>("provider", filter.Provider));
        }

        if (includeProviderModel && filter.Model is not null)
        {
            where.Add($"{alias}model = @model");
            Add(parameters, new NpgsqlParameter<string>("model", filter.Model));
        }
    }

    private static void Add(List<NpgsqlParameter> parameters, NpgsqlParameter parameter)
    {
        if (!parameters.Exists(p => p.ParameterName == parameter.ParameterName))
        {
            parameters.Add(parameter);
        }
    }

    private async Task<DbDataReader> ExecuteReaderAsync(string sql, List<NpgsqlParameter> parameters, CancellationToken cancellationToken)
    {
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open)
        {
            await db.Database.OpenConnectionAsync(cancellationToken);
        }

        var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddRange(parameters.ToArray());
        return await command.ExecuteReaderAsync(System.Data.CommandBehavior.Default, cancellationToken);
    }

    private static double? NullableDouble(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetDouble(ordinal);

    private sealed record QueryWindow(DateTimeOffset RawFrom, DateOnly HorizonDay, DateOnly? AggregateFromDay, DateOnly? AggregateToDay);
}
