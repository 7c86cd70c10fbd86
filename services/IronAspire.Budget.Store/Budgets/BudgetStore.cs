using System.Collections.Concurrent;
using System.Globalization;
using IronAspire.Budget.Ledger;
using IronAspire.Budget.Pricing;
using IronAspire.Budget.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace IronAspire.Budget.Budgets;

/// <summary>
/// Budgets as integer nano-USD counters in Redis. Reserve, commit and release are each one Lua script, so the limit
/// check and the count are one atomic step; a committed cost enters the ledger outbox in the same step.
/// Without an <see cref="IBudgetLedger"/> (the Router's store) it cannot set limits, rebuild Redis or let calls through
/// while Redis is down: those answers are <see cref="ReserveOutcome.Unavailable"/>, for the Budget service to handle.
/// </summary>
public sealed partial class BudgetStore(
    IConnectionMultiplexer redis,
    PriceTable prices,
    BudgetEvents events,
    BudgetMetrics metrics,
    IOptions<BudgetOptions> options,
    TimeProvider time,
    ILogger<BudgetStore> logger,
    IBudgetLedger? ledger = null)
{
    /// <summary>Reservation ids handed out while Redis was down and <see cref="BudgetOptions.FailOpen"/> is on; only the
    /// store that made one (the Budget service's) can settle it.</summary>
    public const string OpenPrefix = "open_";

    /// <summary>How long a committed or released reservation still answers a repeated settlement (then 404).</summary>
    private const int SettledRecordSeconds = 3600;

    private readonly BudgetOptions _options = options.Value;
    private readonly ConcurrentDictionary<string, OpenReservation> _open = new();

    /// <summary>Models of the reservations this instance made, so a commit prices its usage without first reading Redis.</summary>
    private readonly ConcurrentDictionary<string, (string Model, DateTimeOffset Deadline)> _models = new();
    private volatile bool _rebuildAfterOutage;

    private IDatabase Db => redis.GetDatabase();

    public async Task<ReserveOutcome> ReserveAsync(ReservationRequest request)
    {
        var outcome = await TryReserveAsync(request);
        metrics.Reservations.Add(1, new KeyValuePair<string, object?>("outcome", outcome switch
        {
            ReserveOutcome.Reserved r when r.Reservation.ReservationId.StartsWith(OpenPrefix, StringComparison.Ordinal) => "unchecked",
            ReserveOutcome.Reserved => "reserved",
            ReserveOutcome.Refused => "refused",
            ReserveOutcome.NoBudget => "no_budget",
            ReserveOutcome.UnknownPrice => "unknown_price",
            _ => "unavailable",
        }));
        return outcome;
    }

    private async Task<ReserveOutcome> TryReserveAsync(ReservationRequest request)
    {
        var price = prices.Find(request.Model);
        if (price is null)
        {
            return new ReserveOutcome.UnknownPrice(request.Model);
        }

        var amount = price.UpperBoundNanos(request.InputTokens, request.MaxOutputTokens);
        var now = time.GetUtcNow();
        var ttl = request.TtlSeconds ?? _options.ReservationTtlSeconds;
        var deadline = now.AddSeconds(ttl);
        var reservationId = "res_" + Guid.CreateVersion7().ToString("N");
        var project = request.ProjectId ?? "";
        RedisKey[] keys =
        [
            BudgetKeys.Marker, BudgetKeys.Config("agent", request.AgentId), BudgetKeys.Config("project", project),
            BudgetKeys.Deadlines, BudgetKeys.Reservation(reservationId),
            BudgetKeys.Request(request.AgentId, request.RequestId ?? ""),
            .. Counters("agent", request.AgentId, now),
            .. Counters("project", project, now),
        ];
        RedisValue[] args =
        [
            amount, deadline.ToUnixTimeMilliseconds(),
            _options.DefaultAgentLimitUsd is { } defaultLimit ? Nanos.FromUsd(defaultLimit) : -1,
            request.ProjectId is null ? "0" : "1", request.AgentId, project, request.Model, reservationId,
            // The record outlives its deadline by a day, so a late commit still finds it and records its cost.
            ttl + 86_400,
            request.RequestId is null ? "0" : "1",
            prices.CheapestCallNanos,
            ttl,
        ];

        RedisResult[] result;
        Task<RedisResult>? script = null;
        try
        {
            script = Db.ScriptEvaluateAsync(BudgetScripts.Reserve, keys, args);
            result = (RedisResult[])(await script.WaitAsync(TimeSpan.FromMilliseconds(_options.ReserveTimeoutMs)))!;
            if ((long)result[0] == -2 && await RebuildOrAwaitItAsync())
            {
                script = Db.ScriptEvaluateAsync(BudgetScripts.Reserve, keys, args);
                result = (RedisResult[])(await script.WaitAsync(TimeSpan.FromMilliseconds(_options.ReserveTimeoutMs)))!;
            }
        }
        catch (Exception ex) when (IsOutage(ex))
        {
            if (script is not null)
            {
                ReleaseWhenRedisAnswers(script, reservationId, deadline);
            }

            var stalled = ex is TimeoutException or RedisTimeoutException or OperationCanceledException;
            LogRedisDown(logger, _options.FailOpen ? "open" : "closed", ex.Message);
            return _options.FailOpen && ledger is not null
                ? ReserveUnchecked(request, amount, deadline)
                : new ReserveOutcome.Unavailable(stalled
                    ? "The budget store (Redis) did not answer in time, so no call can be budgeted."
                    : "The budget store (Redis) cannot be reached, so no call can be budgeted.", stalled);
        }

        switch ((long)result[0])
        {
            case 1 or 2:
                _models[(string)result[2]!] = (request.Model, deadline);
                return new ReserveOutcome.Reserved(new ReservationCreated(
                    (string)result[2]!, Nanos.ToUsd((long)result[3]), Nanos.ToUsd(Math.Max(0, (long)result[1])),
                    DateTimeOffset.FromUnixTimeMilliseconds((long)result[4])));
            case -1:
                var scope = (string)result[1]!;
                await PublishAsync(result, 5, request.AgentId, request.ProjectId);
                return new ReserveOutcome.Refused(scope, Nanos.ToUsd((long)result[2]), Nanos.ToUsd((long)result[3]), Nanos.ToUsd((long)result[4]), Nanos.ToUsd(amount));
            case -3:
                return new ReserveOutcome.NoBudget((string)result[1]!);
            default:
                return new ReserveOutcome.Unavailable("The budget store is being rebuilt from the ledger; try again in a moment.");
        }
    }

    public Task<SettleOutcome?> CommitAsync(string reservationId, CommitRequest usage) => SettleAsync(reservationId, usage, "committed");

    public Task<SettleOutcome?> ReleaseAsync(string reservationId) => SettleAsync(reservationId, null, "released");

    /// <summary>Releases one reservation whose deadline passed (the sweeper): its holder crashed or never settled.</summary>
    public Task<SettleOutcome?> ExpireAsync(string reservationId) => SettleAsync(reservationId, null, "expired");

    /// <summary>Null: no such reservation. Throws <see cref="BudgetStoreUnavailableException"/> while Redis is down or rebuilt.</summary>
    private async Task<SettleOutcome?> SettleAsync(string reservationId, CommitRequest? usage, string finalState)
    {
        if (reservationId.StartsWith(OpenPrefix, StringComparison.Ordinal))
        {
            return await SettleUncheckedAsync(reservationId, usage);
        }

        var key = BudgetKeys.Reservation(reservationId);
        long cost = 0;
        try
        {
            if (usage is not null)
            {
                // Reserved here (the usual case) or by another instance: then its record names the model.
                string? model = _models.TryGetValue(reservationId, out var reserved) ? reserved.Model : (string?)await Db.HashGetAsync(key, "model");
                if (model is null)
                {
                    return null;
                }

                // Priced when it was reserved, so the model is known.
                cost = prices.Find(model)!.CostNanos(usage.InputTokens, usage.CachedInputTokens, usage.CacheWriteInputTokens, usage.OutputTokens);
            }

            var now = time.GetUtcNow();
            var result = (RedisResult[])(await Db.ScriptEvaluateAsync(
                BudgetScripts.Settle,
                [key, BudgetKeys.Deadlines, BudgetKeys.LedgerOutbox, BudgetKeys.Marker],
                [
                    cost, reservationId, finalState, prices.CheapestCallNanos, now.ToUnixTimeMilliseconds(),
                    usage?.InputTokens ?? 0, usage?.CachedInputTokens ?? 0, usage?.CacheWriteInputTokens ?? 0, usage?.OutputTokens ?? 0,
                    SettledRecordSeconds,
                ]))!;
            switch ((long)result[0])
            {
                case -404:
                    return null;
                case -2:
                    throw new BudgetStoreUnavailableException("The budget store is being rebuilt from the ledger; try again in a moment.");
            }

            _models.TryRemove(reservationId, out _);
            var settledNow = (long)result[0] == 1;
            var late = (string)result[2]!;
            var agentId = (string)result[5]!;
            var projectId = (string?)result[6] is { Length: > 0 } p ? p : null;
            if (settledNow)
            {
                metrics.Settlements.Add(1, new KeyValuePair<string, object?>("state", (string)result[7]!), new KeyValuePair<string, object?>("late", late.Length > 0));
                metrics.SpentNanoUsd.Add((long)result[1]);
            }

            if (settledNow && late.Length > 0)
            {
                LogLateCommit(logger, reservationId, late, Nanos.ToUsd(cost));
            }

            if (settledNow && late.Length == 0 && cost > (long)result[8])
            {
                LogAboveEstimate(logger, reservationId, agentId);
            }

            await PublishAsync(result, 9, agentId, projectId);
            return new SettleOutcome(
                new CommitResult(reservationId, Nanos.ToUsd((long)result[1]), Nanos.ToUsd((long)result[3]), Nanos.ToUsd((long)result[4]), AlreadySettled: !settledNow),
                (string)result[7]!, late);
        }
        catch (Exception ex) when (IsOutage(ex))
        {
            throw new BudgetStoreUnavailableException("The budget store (Redis) cannot be reached; retry the settlement.", ex);
        }
    }

    public async Task<BudgetStatus?> GetAsync(string scope, string id)
    {
        var config = await Db.HashGetAsync(BudgetKeys.Config(scope, id), ["limit", "period"]);
        long limit;
        if (!config[0].IsNull)
        {
            limit = (long)config[0];
        }
        else if (scope == "agent" && _options.DefaultAgentLimitUsd is { } defaultLimit)
        {
            limit = Nanos.FromUsd(defaultLimit);
        }
        else
        {
            return null;
        }

        BudgetPeriods.TryParse(config[1], out var period);
        var now = time.GetUtcNow();
        var counter = await Db.HashGetAsync(BudgetKeys.Counter(scope, id, BudgetPeriods.Key(period, now)), ["spent", "reserved"]);
        var spent = counter[0].IsNull ? 0 : (long)counter[0];
        var reserved = counter[1].IsNull ? 0 : (long)counter[1];
        return new BudgetStatus(id, Nanos.ToUsd(limit), Nanos.ToUsd(spent), Nanos.ToUsd(reserved),
            Nanos.ToUsd(Math.Max(0, limit - spent - reserved)), BudgetPeriods.Name(period), BudgetPeriods.Start(period, now));
    }

    /// <summary>Sets a limit (in the ledger database first, so a rebuild restores it); raising it unblocks at once.</summary>
    public async Task SetLimitAsync(string scope, string id, long limitNanos, BudgetPeriod period)
    {
        if (ledger is null)
        {
            throw new InvalidOperationException("Limits are set by the Budget service, whose store has the ledger.");
        }

        await ledger.SaveLimitAsync(scope, id, limitNanos, period);
        var now = time.GetUtcNow();
        var flags = (RedisResult[])(await Db.ScriptEvaluateAsync(
            BudgetScripts.SetLimit,
            [BudgetKeys.Config(scope, id), BudgetKeys.Counter(scope, id, BudgetPeriods.Key(period, now))],
            [limitNanos, BudgetPeriods.Name(period), prices.CheapestCallNanos, scope]))!;
        await PublishAsync(flags, 0, scope == "agent" ? id : "", scope == "project" ? id : null);
    }

    /// <summary>Drops a deadline entry whose reservation record no longer exists.</summary>
    public Task ForgetAsync(string reservationId) => Db.SortedSetRemoveAsync(BudgetKeys.Deadlines, reservationId);

    /// <summary>Reservations past their deadline, oldest first.</summary>
    public async Task<string[]> ExpiredReservationsAsync(int max) =>
        (await Db.SortedSetRangeByScoreAsync(BudgetKeys.Deadlines, double.NegativeInfinity, time.GetUtcNow().ToUnixTimeMilliseconds(), take: max))
            .Select(v => (string)v!).ToArray();

    /// <summary>
    /// Forgets what this instance remembers of reservations long past their deadline: unchecked (fail-open) ones held
    /// nothing, and the model of one settled by another instance is no longer needed.
    /// </summary>
    public void ForgetExpiredLocally()
    {
        var now = time.GetUtcNow();
        foreach (var (id, open) in _open)
        {
            if (open.Deadline < now)
            {
                _open.TryRemove(id, out _);
            }
        }

        foreach (var (id, reserved) in _models)
        {
            if (reserved.Deadline.AddDays(1) < now)
            {
                _models.TryRemove(id, out _);
            }
        }
    }

    /// <summary>
    /// Rebuilds Redis from the ledger when its state is gone (marker missing) or was bypassed (fail-open commits went
    /// straight to the ledger). Returns true when Redis is ready; false while another caller rebuilds.
    /// </summary>
    public async Task<bool> RebuildAsync()
    {
        if (ledger is null)
        {
            return false;
        }

        var db = Db;
        if (_rebuildAfterOutage)
        {
            _rebuildAfterOutage = false;
            await db.KeyDeleteAsync(BudgetKeys.Marker);
        }

        if (await db.KeyExistsAsync(BudgetKeys.Marker))
        {
            return true;
        }

        if (!await db.StringSetAsync(BudgetKeys.RebuildLock, Environment.ProcessId, TimeSpan.FromSeconds(60), When.NotExists))
        {
            return false;
        }

        try
        {
            // Reservations and commits answer 503 until the marker is back, so the totals cannot move under us.
            await ledger.DrainOutboxAsync();
            var limits = await ledger.LoadLimitsAsync();
            var spent = await ledger.LoadSpentByCounterAsync();
            var batch = db.CreateBatch();
            var writes = new List<Task>();
            foreach (var limit in limits)
            {
                writes.Add(batch.HashSetAsync(BudgetKeys.Config(limit.Scope, limit.Id), [new("limit", limit.LimitNanos), new("period", BudgetPeriods.Name(limit.Period))]));
            }

            foreach (var (counter, total) in spent)
            {
                writes.Add(batch.HashSetAsync(counter, "spent", total));
            }

            batch.Execute();
            await Task.WhenAll(writes);
            await db.StringSetAsync(BudgetKeys.Marker, time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
            LogRebuilt(logger, limits.Count, spent.Count);
            return true;
        }
        finally
        {
            await db.KeyDeleteAsync(BudgetKeys.RebuildLock);
        }
    }

    /// <summary>Rebuilds, or waits a moment for the rebuild another caller runs (it takes milliseconds) before giving up with 503.</summary>
    private async Task<bool> RebuildOrAwaitItAsync()
    {
        for (var attempt = 0; ledger is not null && attempt < 50; attempt++)
        {
            if (await RebuildAsync())
            {
                return true;
            }

            await Task.Delay(20);
        }

        return false;
    }

    private ReserveOutcome ReserveUnchecked(ReservationRequest request, long amount, DateTimeOffset deadline)
    {
        var id = OpenPrefix + Guid.CreateVersion7().ToString("N");
        _open[id] = new OpenReservation(request.AgentId, request.ProjectId, request.Model, deadline);
        return new ReserveOutcome.Reserved(new ReservationCreated(id, Nanos.ToUsd(amount), 0m, deadline));
    }

    /// <summary>A fail-open call: its cost goes straight to the ledger, and Redis is rebuilt from the ledger once it is back.</summary>
    private async Task<SettleOutcome?> SettleUncheckedAsync(string reservationId, CommitRequest? usage)
    {
        if (ledger is null || !_open.TryRemove(reservationId, out var open))
        {
            return null;
        }

        long cost = 0;
        if (usage is not null)
        {
            cost = prices.Find(open.Model)!.CostNanos(usage.InputTokens, usage.CachedInputTokens, usage.CacheWriteInputTokens, usage.OutputTokens);
            var now = time.GetUtcNow();
            var limits = (await ledger.LoadLimitsAsync()).ToDictionary(l => (l.Scope, l.Id), l => l.Period);
            string CounterOf(string scope, string id) =>
                BudgetKeys.Counter(scope, id, BudgetPeriods.Key(limits.GetValueOrDefault((scope, id), BudgetPeriod.Lifetime), now));
            await ledger.WriteAsync(
                [new LedgerEntry(reservationId, open.AgentId, open.ProjectId, open.Model, usage.InputTokens, usage.CachedInputTokens,
                    usage.CacheWriteInputTokens, usage.OutputTokens, cost, CounterOf("agent", open.AgentId),
                    open.ProjectId is null ? null : CounterOf("project", open.ProjectId), now)],
                CancellationToken.None);
            _rebuildAfterOutage = true;
        }

        return new SettleOutcome(new CommitResult(reservationId, Nanos.ToUsd(cost), 0m, 0m, AlreadySettled: false), usage is null ? "released" : "committed", "");
    }

    private async ValueTask PublishAsync(RedisResult[] result, int firstFlag, string agentId, string? projectId)
    {
        for (var i = firstFlag; i < result.Length; i++)
        {
            await events.CrossedAsync((string)result[i]!, agentId, projectId, time.GetUtcNow());
        }
    }

    /// <summary>
    /// A reserve script whose answer was not awaited (Redis stalled or dropped the connection) may still run once Redis
    /// answers again; its reservation is released then, so nothing reserved during a stall stays held until its deadline.
    /// </summary>
    private void ReleaseWhenRedisAnswers(Task<RedisResult> script, string reservationId, DateTimeOffset deadline) =>
        _ = Task.Run(async () =>
        {
            try
            {
                await script;
            }
            catch (Exception)
            {
                // Failed or timed out on the client's side: it may have run on Redis all the same.
            }

            for (var attempt = 1; time.GetUtcNow() < deadline; attempt++)
            {
                try
                {
                    if (await ReleaseAsync(reservationId) is not null)
                    {
                        LogAbandonedReleased(logger, reservationId);
                    }

                    return;
                }
                catch (Exception)
                {
                    // Any failure (an outage, a rebuild, a connection torn down mid-read) is worth another try.
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5000, 200 * attempt)), time);
                }
            }
        });

    // The store passes no cancellation token to Redis, so a cancelled task is the client library giving up on a
    // command (seen while Redis is frozen), an outage like the others.
    private static bool IsOutage(Exception ex) => ex is RedisConnectionException or RedisTimeoutException or TimeoutException or OperationCanceledException;

    private static RedisKey[] Counters(string scope, string id, DateTimeOffset now) =>
    [
        BudgetKeys.Counter(scope, id, BudgetPeriods.Key(BudgetPeriod.Lifetime, now)),
        BudgetKeys.Counter(scope, id, BudgetPeriods.Key(BudgetPeriod.Daily, now)),
        BudgetKeys.Counter(scope, id, BudgetPeriods.Key(BudgetPeriod.Monthly, now)),
    ];

    private sealed record OpenReservation(string AgentId, string? ProjectId, string Model, DateTimeOffset Deadline);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Released reservation {ReservationId}, made by Redis after its caller had given up waiting")]
    private static partial void LogAbandonedReleased(ILogger logger, string reservationId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Redis is unreachable; reservations fail {Mode}: {Reason}")]
    private static partial void LogRedisDown(ILogger logger, string mode, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reservation {ReservationId} was committed after it had been {State}; its cost {CostUsd} USD is recorded as spent (the call happened)")]
    private static partial void LogLateCommit(ILogger logger, string reservationId, string state, decimal costUsd);

    [LoggerMessage(Level = LogLevel.Error, Message = "Reservation {ReservationId} of agent {AgentId} cost more than its reserved upper bound; the caller's estimate was not a bound")]
    private static partial void LogAboveEstimate(ILogger logger, string reservationId, string agentId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rebuilt budgets from the ledger: {Limits} limits, {Counters} period counters")]
    private static partial void LogRebuilt(ILogger logger, int limits, int counters);
}

/// <summary>Redis cannot be used right now (down, or being rebuilt): the API answers 503.</summary>
public sealed class BudgetStoreUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
