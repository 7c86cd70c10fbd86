using System.Data.Common;
using IronAspire.Contracts.Analytics;
using Npgsql;

namespace IronAspire.Analytics.Queries;

/// <summary>The call log, per-group timeseries and failures by error code: all over the raw window (see docs/analytics.md).</summary>
public sealed partial class AnalyticsQueries
{
    private const string CallColumns = """
        event_id, request_id, agent_id, project_id, provider, model, failed, error_type, status_code, input_tokens,
        cached_input_tokens, output_tokens, cost_usd, latency_ms, time_to_first_byte_ms, streamed, timestamp
        """;

    /// <summary>Calls newest first, <paramref name="limit"/> per page, continuing after <paramref name="after"/> (keyset paging).</summary>
    public async Task<CallPage> CallsAsync(AnalyticsFilter filter, CallFilter calls, CallCursor? after, int limit, CancellationToken cancellationToken)
    {
        var parameters = new List<NpgsqlParameter> { new NpgsqlParameter<int>("take", limit + 1) };
        var where = RawWhere(filter, Window(filter), parameters, alias: "");
        if (calls.Failed is { } failed)
        {
            where += failed ? " AND failed" : " AND NOT failed";
        }

        if (calls.ErrorType is { } errorType)
        {
            where += " AND error_type = @error_type";
            parameters.Add(new NpgsqlParameter<string>("error_type", errorType));
        }

        if (after is not null)
        {
            where += " AND (timestamp, event_id) < (@after_time, @after_id)";
            parameters.Add(new NpgsqlParameter<DateTimeOffset>("after_time", after.Timestamp));
            parameters.Add(new NpgsqlParameter<Guid>("after_id", after.EventId));
        }

        var sql = $"SELECT {CallColumns} FROM llm_requests WHERE {where} ORDER BY timestamp DESC, event_id DESC LIMIT @take";
        var items = new List<CallEntry>();
        await using (var reader = await ExecuteReaderAsync(sql, parameters, cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                items.Add(ReadCall(reader));
            }
        }

        if (items.Count <= limit)
        {
            return new CallPage(items, null);
        }

        items.RemoveAt(limit);
        return new CallPage(items, new CallCursor(items[^1].Timestamp, items[^1].EventId).ToString());
    }

    /// <summary>One call with its PII entity counts by type (joined through the request id); null when unknown.</summary>
    public async Task<CallDetails?> CallAsync(Guid eventId, CancellationToken cancellationToken)
    {
        var parameters = new List<NpgsqlParameter> { new NpgsqlParameter<Guid>("event_id", eventId) };
        CallEntry call;
        await using (var reader = await ExecuteReaderAsync($"SELECT {CallColumns} FROM llm_requests WHERE event_id = @event_id", parameters, cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                return null;
            }

            call = ReadCall(reader);
        }

        var pii = new Dictionary<string, long>();
        parameters = [new NpgsqlParameter<string>("request_id", call.RequestId), new NpgsqlParameter<string>("agent_id", call.AgentId)];
        await using (var reader = await ExecuteReaderAsync(
            "SELECT pii_type, sum(count)::bigint FROM pii_detections WHERE request_id = @request_id AND agent_id = @agent_id GROUP BY 1 ORDER BY 1",
            parameters, cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                pii[reader.GetString(0)] = reader.GetInt64(1);
            }
        }

        return new CallDetails(call, pii);
    }

    /// <summary>Per bucket and per group (model, agent, provider or, over failed calls only, error type): calls, failures, tokens, cost.</summary>
    public async Task<IReadOnlyList<BreakdownPoint>> BreakdownAsync(AnalyticsFilter filter, TimeBucket bucket, BreakdownKey by, CancellationToken cancellationToken)
    {
        var unit = bucket == TimeBucket.Minute ? "minute" : "hour";
        var parameters = new List<NpgsqlParameter>();
        var where = RawWhere(filter, Window(filter), parameters, alias: "");
        var key = by switch
        {
            BreakdownKey.Agent => "agent_id",
            BreakdownKey.Provider => "provider",
            BreakdownKey.ErrorType => "coalesce(error_type, '')",
            _ => "model",
        };
        if (by == BreakdownKey.ErrorType)
        {
            where += " AND failed";
        }

        var sql = $"""
            SELECT date_trunc('{unit}', timestamp AT TIME ZONE 'UTC') AS start, {key} AS key, count(*), count(*) FILTER (WHERE failed),
                   (sum(input_tokens) + sum(output_tokens))::bigint, sum(cost_usd)
            FROM llm_requests WHERE {where}
            GROUP BY 1, 2 ORDER BY 1, 2
            """;
        var points = new List<BreakdownPoint>();
        await using var reader = await ExecuteReaderAsync(sql, parameters, cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            points.Add(new BreakdownPoint(new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(0), DateTimeKind.Utc)),
                reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetDecimal(5)));
        }

        return points;
    }

    /// <summary>Failed calls per error code, most frequent first.</summary>
    public async Task<IReadOnlyList<FailureCount>> FailuresAsync(AnalyticsFilter filter, CancellationToken cancellationToken)
    {
        var parameters = new List<NpgsqlParameter>();
        var where = RawWhere(filter, Window(filter), parameters, alias: "");
        var sql = $"SELECT coalesce(error_type, ''), count(*) FROM llm_requests WHERE {where} AND failed GROUP BY 1 ORDER BY 2 DESC, 1";
        var failures = new List<FailureCount>();
        await using var reader = await ExecuteReaderAsync(sql, parameters, cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            failures.Add(new FailureCount(reader.GetString(0), reader.GetInt64(1)));
        }

        return failures;
    }

    private static CallEntry ReadCall(DbDataReader reader) => new(
        reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetString(4),
        reader.GetString(5), reader.GetBoolean(6), reader.IsDBNull(7) ? null : reader.GetString(7), reader.GetInt32(8), reader.GetInt64(9),
        reader.GetInt64(10), reader.GetInt64(11), reader.GetDecimal(12), reader.GetDouble(13), NullableDouble(reader, 14), reader.GetBoolean(15),
        reader.GetFieldValue<DateTimeOffset>(16));
}
