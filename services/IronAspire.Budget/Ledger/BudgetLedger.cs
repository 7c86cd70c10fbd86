using IronAspire.Budget.Budgets;
using Npgsql;
using NpgsqlTypes;

namespace IronAspire.Budget.Ledger;

/// <summary>
/// The durable record of every committed cost and every limit, in PostgreSQL. The commit script appends each cost to
/// a Redis stream in the same atomic step that counts it (<see cref="LedgerOutbox"/> drains it), so a commit costs one
/// Redis round trip and a crash of this service loses nothing.
/// </summary>
public sealed class BudgetLedger(NpgsqlDataSource dataSource)
{
    private readonly SemaphoreSlim _writeLock = new(1, 1);

    public async Task EnsureSchemaAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            CREATE TABLE IF NOT EXISTS budget_ledger (
                reservation_id text PRIMARY KEY,
                agent_id text NOT NULL,
                project_id text NULL,
                model text NOT NULL,
                input_tokens bigint NOT NULL,
                cached_input_tokens bigint NOT NULL,
                output_tokens bigint NOT NULL,
                cost_nanos bigint NOT NULL,
                agent_counter text NOT NULL,
                project_counter text NULL,
                committed_at timestamptz NOT NULL);
            ALTER TABLE budget_ledger ADD COLUMN IF NOT EXISTS cache_write_input_tokens bigint NOT NULL DEFAULT 0;
            CREATE INDEX IF NOT EXISTS budget_ledger_agent ON budget_ledger (agent_id, committed_at);
            CREATE TABLE IF NOT EXISTS budget_limits (
                scope text NOT NULL,
                id text NOT NULL,
                limit_nanos bigint NOT NULL,
                period text NOT NULL,
                updated_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (scope, id));
            """);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task SaveLimitAsync(string scope, string id, long limitNanos, BudgetPeriod period)
    {
        await using var command = dataSource.CreateCommand("""
            INSERT INTO budget_limits (scope, id, limit_nanos, period, updated_at) VALUES ($1, $2, $3, $4, now())
            ON CONFLICT (scope, id) DO UPDATE SET limit_nanos = EXCLUDED.limit_nanos, period = EXCLUDED.period, updated_at = now()
            """);
        command.Parameters.Add(new() { Value = scope });
        command.Parameters.Add(new() { Value = id });
        command.Parameters.Add(new() { Value = limitNanos });
        command.Parameters.Add(new() { Value = BudgetPeriods.Name(period) });
        await command.ExecuteNonQueryAsync();
    }

    public async Task<List<StoredLimit>> LoadLimitsAsync()
    {
        var limits = new List<StoredLimit>();
        await using var command = dataSource.CreateCommand("SELECT scope, id, limit_nanos, period FROM budget_limits");
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            BudgetPeriods.TryParse(reader.GetString(3), out var period);
            limits.Add(new StoredLimit(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), period));
        }

        return limits;
    }

    /// <summary>Total committed cost per Redis period counter (agent and project counters alike).</summary>
    public async Task<Dictionary<string, long>> LoadSpentByCounterAsync()
    {
        var totals = new Dictionary<string, long>();
        await using var command = dataSource.CreateCommand("""
            SELECT agent_counter, sum(cost_nanos)::bigint FROM budget_ledger GROUP BY agent_counter
            UNION ALL
            SELECT project_counter, sum(cost_nanos)::bigint FROM budget_ledger WHERE project_counter IS NOT NULL GROUP BY project_counter
            """);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            totals[reader.GetString(0)] = reader.GetInt64(1);
        }

        return totals;
    }

    /// <summary>Sum of every recorded cost of an agent (for reconciliation and tests).</summary>
    public async Task<long> TotalSpentAsync(string agentId)
    {
        await using var command = dataSource.CreateCommand("SELECT coalesce(sum(cost_nanos), 0)::bigint FROM budget_ledger WHERE agent_id = $1");
        command.Parameters.Add(new() { Value = agentId });
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Writes entries in one transaction; idempotent on the reservation id (a retried batch is stored once).</summary>
    public async Task WriteAsync(IReadOnlyList<LedgerEntry> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return;
        }

        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using (var staging = connection.CreateCommand())
            {
                staging.CommandText = "CREATE TEMP TABLE ledger_staging (LIKE budget_ledger) ON COMMIT DROP";
                await staging.ExecuteNonQueryAsync(cancellationToken);
            }

            const string Columns = "reservation_id, agent_id, project_id, model, input_tokens, cached_input_tokens, cache_write_input_tokens, output_tokens, cost_nanos, agent_counter, project_counter, committed_at";
            await using (var writer = await connection.BeginBinaryImportAsync($"COPY ledger_staging ({Columns}) FROM STDIN (FORMAT BINARY)", cancellationToken))
            {
                foreach (var e in batch)
                {
                    await writer.StartRowAsync(cancellationToken);
                    await writer.WriteAsync(e.ReservationId, cancellationToken);
                    await writer.WriteAsync(e.AgentId, cancellationToken);
                    await writer.WriteAsync(e.ProjectId, NpgsqlDbType.Text, cancellationToken);
                    await writer.WriteAsync(e.Model, cancellationToken);
                    await writer.WriteAsync(e.InputTokens, cancellationToken);
                    await writer.WriteAsync(e.CachedInputTokens, cancellationToken);
                    await writer.WriteAsync(e.CacheWriteInputTokens, cancellationToken);
                    await writer.WriteAsync(e.OutputTokens, cancellationToken);
                    await writer.WriteAsync(e.CostNanos, cancellationToken);
                    await writer.WriteAsync(e.AgentCounter, cancellationToken);
                    await writer.WriteAsync(e.ProjectCounter, NpgsqlDbType.Text, cancellationToken);
                    await writer.WriteAsync(e.CommittedAt, NpgsqlDbType.TimestampTz, cancellationToken);
                }

                await writer.CompleteAsync(cancellationToken);
            }

            await using (var insert = connection.CreateCommand())
            {
                insert.CommandText = $"INSERT INTO budget_ledger ({Columns}) SELECT {Columns} FROM ledger_staging ON CONFLICT (reservation_id) DO NOTHING";
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
    }
}
