using System.Text.Json;
using IronAspire.Analytics.Data;
using IronAspire.Contracts.Events;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace IronAspire.Analytics.Ingestion;

/// <summary>
/// Writes a batch of events in one statement each: the rows go in through unnest() with ON CONFLICT DO NOTHING on the
/// event id (a redelivered or duplicated event is counted once), and only the rows actually inserted (RETURNING)
/// are added to the daily aggregates in the same statement, so raw rows and aggregates cannot disagree.
/// </summary>
public sealed class EventWriter(AnalyticsDbContext db)
{
    private const string InsertRequests = """
        WITH input AS (
            SELECT * FROM unnest(@event_id, @request_id, @agent_id, @project_id, @provider, @model, @failed, @error_type,
                                 @status_code, @input_tokens, @cached_input_tokens, @output_tokens, @cost_usd, @latency_ms,
                                 @ttfb_ms, @streamed, @timestamp, @serving_model)
                AS t(event_id, request_id, agent_id, project_id, provider, model, failed, error_type, status_code,
                     input_tokens, cached_input_tokens, output_tokens, cost_usd, latency_ms, ttfb_ms, streamed, timestamp, serving_model)
        ), inserted AS (
            INSERT INTO llm_requests (event_id, request_id, agent_id, project_id, provider, model, failed, error_type,
                                      status_code, input_tokens, cached_input_tokens, output_tokens, cost_usd, latency_ms,
                                      time_to_first_byte_ms, streamed, timestamp, serving_model)
            SELECT * FROM input
            ON CONFLICT (event_id) DO NOTHING
            RETURNING timestamp, agent_id, project_id, provider, model, failed, error_type, input_tokens, cached_input_tokens, output_tokens, cost_usd
        )
        INSERT INTO daily_usage AS d (day, agent_id, project_id, provider, model, requests, failures, rate_limited, input_tokens,
                                      cached_input_tokens, output_tokens, cost_usd)
        SELECT (timestamp AT TIME ZONE 'UTC')::date, agent_id, coalesce(project_id, ''), provider, model,
               count(*), count(*) FILTER (WHERE failed), count(*) FILTER (WHERE error_type = 'rate_limit_exceeded'),
               sum(input_tokens)::bigint, sum(cached_input_tokens)::bigint,
               sum(output_tokens)::bigint, sum(cost_usd)
        FROM inserted
        GROUP BY 1, 2, 3, 4, 5
        ORDER BY 1, 2, 3, 4, 5
        ON CONFLICT (day, agent_id, project_id, provider, model) DO UPDATE SET
            requests = d.requests + excluded.requests,
            failures = d.failures + excluded.failures,
            rate_limited = d.rate_limited + excluded.rate_limited,
            input_tokens = d.input_tokens + excluded.input_tokens,
            cached_input_tokens = d.cached_input_tokens + excluded.cached_input_tokens,
            output_tokens = d.output_tokens + excluded.output_tokens,
            cost_usd = d.cost_usd + excluded.cost_usd
        """;

    private const string InsertPii = """
        WITH inserted AS (
            INSERT INTO pii_detections (event_id, pii_type, count, request_id, agent_id, project_id, direction, action, timestamp)
            SELECT * FROM unnest(@event_id, @pii_type, @count, @request_id, @agent_id, @project_id, @direction, @action, @timestamp)
            ON CONFLICT (event_id, pii_type) DO NOTHING
            RETURNING timestamp, agent_id, project_id, pii_type, count
        )
        INSERT INTO daily_pii AS d (day, agent_id, project_id, pii_type, detections)
        SELECT (timestamp AT TIME ZONE 'UTC')::date, agent_id, coalesce(project_id, ''), pii_type, sum(count)::bigint
        FROM inserted
        GROUP BY 1, 2, 3, 4
        ORDER BY 1, 2, 3, 4
        ON CONFLICT (day, agent_id, project_id, pii_type) DO UPDATE SET detections = d.detections + excluded.detections
        """;

    private const string InsertGovernance = """
        INSERT INTO governance_events (event_id, event_type, subject, timestamp, payload)
        SELECT event_id, event_type, subject, timestamp, payload::jsonb
        FROM unnest(@event_id, @event_type, @subject, @timestamp, @payload) AS t(event_id, event_type, subject, timestamp, payload)
        ON CONFLICT (event_id) DO NOTHING
        """;

    public Task<int> WriteRequestsAsync(IReadOnlyList<LlmRequestRecord> rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return Task.FromResult(0);
        }

        return db.Database.ExecuteSqlRawAsync(InsertRequests,
        [
            Array("event_id", rows, r => r.EventId),
            Array("request_id", rows, r => r.RequestId),
            Array("agent_id", rows, r => r.AgentId),
            Array("project_id", rows, r => r.ProjectId),
            Array("provider", rows, r => r.Provider),
            Array("model", rows, r => r.Model),
            Array("failed", rows, r => r.Failed),
            Array("error_type", rows, r => r.ErrorType),
            Array("status_code", rows, r => r.StatusCode),
            Array("input_tokens", rows, r => r.InputTokens),
            Array("cached_input_tokens", rows, r => r.CachedInputTokens),
            Array("output_tokens", rows, r => r.OutputTokens),
            Array("cost_usd", rows, r => r.CostUsd),
            Array("latency_ms", rows, r => r.LatencyMs),
            Array("ttfb_ms", rows, r => r.TimeToFirstByteMs),
            Array("streamed", rows, r => r.Streamed),
            Array("timestamp", rows, r => r.Timestamp.ToUniversalTime()),
            Array("serving_model", rows, r => r.ServingModel),
        ], cancellationToken);
    }

    public Task<int> WritePiiAsync(IReadOnlyList<PiiDetectionRecord> rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return Task.FromResult(0);
        }

        return db.Database.ExecuteSqlRawAsync(InsertPii,
        [
            Array("event_id", rows, r => r.EventId),
            Array("pii_type", rows, r => r.PiiType),
            Array("count", rows, r => r.Count),
            Array("request_id", rows, r => r.RequestId),
            Array("agent_id", rows, r => r.AgentId),
            Array("project_id", rows, r => r.ProjectId),
            Array("direction", rows, r => r.Direction),
            Array("action", rows, r => r.Action),
            Array("timestamp", rows, r => r.Timestamp.ToUniversalTime()),
        ], cancellationToken);
    }

    public Task<int> WriteGovernanceAsync(IReadOnlyList<GovernanceEventRecord> rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return Task.FromResult(0);
        }

        return db.Database.ExecuteSqlRawAsync(InsertGovernance,
        [
            Array("event_id", rows, r => r.EventId),
            Array("event_type", rows, r => r.EventType),
            Array("subject", rows, r => r.Subject),
            Array("timestamp", rows, r => r.Timestamp.ToUniversalTime()),
            Array("payload", rows, r => r.Payload),
        ], cancellationToken);
    }

    public static LlmRequestRecord ToRecord(LlmRequestCompleted e) => new()
    {
        EventId = e.EventId,
        RequestId = e.RequestId ?? "",
        AgentId = e.AgentId ?? "",
        ProjectId = e.ProjectId,
        Provider = e.Provider ?? "",
        Model = e.Model ?? "",
        ServingModel = e.ServingModel,
        Failed = false,
        StatusCode = e.StatusCode,
        InputTokens = e.InputTokens,
        CachedInputTokens = e.CachedInputTokens,
        OutputTokens = e.OutputTokens,
        CostUsd = e.CostUsd,
        LatencyMs = e.LatencyMs,
        TimeToFirstByteMs = e.TimeToFirstByteMs,
        Streamed = e.Streamed,
        Timestamp = e.Timestamp,
    };

    public static LlmRequestRecord ToRecord(LlmRequestFailed e) => new()
    {
        EventId = e.EventId,
        RequestId = e.RequestId ?? "",
        AgentId = e.AgentId ?? "",
        ProjectId = e.ProjectId,
        Provider = e.Provider ?? "",
        Model = e.Model ?? "",
        ServingModel = e.ServingModel,
        Failed = true,
        ErrorType = e.ErrorType ?? "",
        StatusCode = e.StatusCode,
        InputTokens = e.InputTokens,
        CachedInputTokens = e.CachedInputTokens,
        OutputTokens = e.OutputTokens,
        CostUsd = e.CostUsd,
        LatencyMs = e.LatencyMs,
        TimeToFirstByteMs = e.TimeToFirstByteMs,
        Streamed = e.Streamed,
        Timestamp = e.Timestamp,
    };

    public static IEnumerable<PiiDetectionRecord> ToRecords(PiiDetected e) =>
        (e.CountsByType ?? new Dictionary<string, int>())
        .Where(kv => kv.Value > 0 && !string.IsNullOrEmpty(kv.Key))
        .Select(kv => new PiiDetectionRecord
        {
            EventId = e.EventId,
            PiiType = kv.Key,
            Count = kv.Value,
            RequestId = e.RequestId ?? "",
            AgentId = e.AgentId ?? "",
            ProjectId = e.ProjectId,
            Direction = e.Direction.ToString(),
            Action = e.Action ?? "",
            Timestamp = e.Timestamp,
        });

    public static GovernanceEventRecord ToRecord<T>(T e, string subject) where T : IIronAspireEvent => new()
    {
        EventId = e.EventId,
        EventType = typeof(T).Name,
        Subject = subject ?? "",
        Timestamp = e.Timestamp,
        Payload = JsonSerializer.Serialize(e, JsonSerializerOptions.Web),
    };

    private static NpgsqlParameter Array<TRow, TValue>(string name, IReadOnlyList<TRow> rows, Func<TRow, TValue> select)
    {
        var values = new TValue[rows.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = select(rows[i]);
        }

        return new NpgsqlParameter<TValue[]>(name, values);
    }
}
