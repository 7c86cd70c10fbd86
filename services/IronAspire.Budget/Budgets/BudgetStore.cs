using System.Globalization;
using IronAspire.Budget.Ledger;
using IronAspire.Budget.Pricing;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace IronAspire.Budget.Budgets;

/// <summary>
/// Budgets as integer nano-USD counters in Redis. Reserve, commit and release are each one Lua script, so the
/// limit check and the count are one atomic step; every committed cost also goes to the PostgreSQL ledger.
/// </summary>
public sealed partial class BudgetStore(
    IConnectionMultiplexer redis,
    PriceTable prices,
    BudgetLedger ledger,
    BudgetEvents events,
    IOptions<BudgetOptions> options,
    TimeProvider time,
    ILogger<BudgetStore> logger)
{
    private readonly BudgetOptions _options = options.Value;

    private IDatabase Db => redis.GetDatabase();

    public long CheapestCallNanos => prices.Cheapest.CostNanos(_options.CheapestCallInputTokens, 0, _options.CheapestCallOutputTokens);

    public async Task<ReserveOutcome> ReserveAsync(ReservationRequest request)
    {
        var price = prices.Find(request.Model);
        if (price is null)
        {
            return new ReserveOutcome.UnknownPrice(request.Model);
        }

        var amount = price.CostNanos(request.InputTokens, 0, request.MaxOutputTokens);
        var now = time.GetUtcNow();
        var ttl = request.TtlSeconds ?? _options.ReservationTtlSeconds;
        var deadline = now.AddSeconds(ttl);
        var reservationId = "res_" + Guid.CreateVersion7().ToString("N");
        var project = request.ProjectId ?? "";
        RedisKey[] keys =
        [
            BudgetKeys.Marker, BudgetKeys.Config("agent", request.AgentId), BudgetKeys.Config("project", project),
            BudgetKeys.Deadlines, BudgetKeys.Reservation(reservationId),
            .. Counters("agent", request.AgentId, now),
            .. Counters("project", project, now),
        ];
        RedisValue[] args =
        [
            amount, deadline.ToUnixTimeMilliseconds(),
            _options.DefaultAgentLimitUsd is { } defaultLimit ? Nanos.FromUsd(defaultLimit) : -1,
            request.ProjectId is null ? "0" : "1", request.AgentId, project, request.Model, reservationId,
            // The reservation's record outlives its deadline so a late commit still finds it.
            ttl + 86_400,
        ];

        RedisResult[] result;
        try
        {
            result = (RedisResult[])(await Db.ScriptEvaluateAsync(BudgetScripts.Reserve, keys, args))!;
            if ((long)result[0] == -2)
            {
                await RebuildAsync();
                result = (RedisResult[])(await Db.ScriptEvaluateAsync(BudgetScripts.Reserve, keys, args))!;
            }
        }
        catch (Exception ex) when (ex is RedisConnectionException or RedisTimeoutException or TimeoutException)
        {
            LogRedisDown(logger, ex.Message);
            return new ReserveOutcome.Unavailable("The budget store (Redis) cannot be reached.");
        }

        switch ((long)result[0])
        {
            case 1:
                return new ReserveOutcome.Reserved(new ReservationCreated(reservationId, Nanos.ToUsd(amount), Nanos.ToUsd((long)result[1]), deadline));
            case -1:
                var scope = (string)result[1]!;
                var refused = new ReserveOutcome.Refused(scope, Nanos.ToUsd((long)result[2]), Nanos.ToUsd((long)result[3]), Nanos.ToUsd((long)result[4]), Nanos.ToUsd(amount));
                await ReportExhaustedIfSoAsync(scope, scope == "agent" ? request.AgentId : project, (long)result[2], (long)result[3], (long)result[4], (string)result[5]!, now);
                return refused;
            case -3:
                return new ReserveOutcome.NoBudget((string)result[1]!);
            default:
                return new ReserveOutcome.Unavailable("The budget store is being rebuilt from the ledger; try again.");
        }
    }

    public Task<CommitResult?> CommitAsync(string reservationId, CommitRequest usage) => SettleAsync(reservationId, usage, "committed");

    public Task<CommitResult?> ReleaseAsync(string reservationId) => SettleAsync(reservationId, null, "released");

    /// <summary>Releases one reservation whose deadline passed (the sweeper); its holder crashed or never settled.</summary>
    public Task<CommitResult?> ExpireAsync(string reservationId) => SettleAsync(reservationId, null, "expired");

    private async Task<CommitResult?> SettleAsync(string reservationId, CommitRequest? usage, string finalState)
    {
        var key = BudgetKeys.Reservation(reservationId);
        long cost = 0;
        RedisValue[] reservation = [];
        if (usage is not null)
        {
            reservation = await Db.HashGetAsync(key, ["model", "agent", "project", "agentCtr", "projectCtr"]);
            if (reservation[0].IsNull)
            {
                return null;
            }

            // Priced when it was reserved, so the model is known.
            var price = prices.Find(reservation[0]!)!;
            cost = price.CostNanos(usage.InputTokens, usage.CachedInputTokens, usage.OutputTokens);
        }

        var result = (RedisResult[])(await Db.ScriptEvaluateAsync(
            BudgetScripts.Settle,
            [key, BudgetKeys.Deadlines],
            [cost, reservationId, finalState, CheapestCallNanos]))!;
        var status = (long)result[0];
        if (status == -404)
        {
            return null;
        }

        if (status == 0)
        {
            return new CommitResult(reservationId, Nanos.ToUsd((long)result[1]), 0, 0, AlreadySettled: true);
        }

        var agentSpent = (long)result[2];
        var agentLimit = (long)result[3];
        if (usage is not null && cost > 0)
        {
            ledger.Record(new LedgerEntry(reservationId, reservation[1]!, reservation[2].IsNullOrEmpty ? null : (string?)reservation[2],
                reservation[0]!, usage.InputTokens, usage.CachedInputTokens, usage.OutputTokens, cost,
                reservation[3]!, reservation[4].IsNullOrEmpty ? null : (string?)reservation[4], time.GetUtcNow()));
        }

        if ((long)result[4] == 1)
        {
            LogLateCommit(logger, reservationId);
        }

        var agentId = (string)result[5]!;
        var projectId = (string?)result[6] is { Length: > 0 } p ? p : null;
        for (var i = 7; i < result.Length; i++)
        {
            events.Crossed((string)result[i]!, agentId, projectId, time.GetUtcNow());
        }

        return new CommitResult(reservationId, Nanos.ToUsd(cost), Nanos.ToUsd(agentSpent), Nanos.ToUsd(agentLimit - agentSpent), AlreadySettled: false);
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

    /// <summary>Sets a limit; raising it unblocks at once (the next reservation sees it). Written to the ledger database too.</summary>
    public async Task SetLimitAsync(string scope, string id, long limitNanos, BudgetPeriod period)
    {
        await ledger.SaveLimitAsync(scope, id, limitNanos, period);
        await Db.HashSetAsync(BudgetKeys.Config(scope, id), [new("limit", limitNanos), new("period", BudgetPeriods.Name(period))]);
        // A raised limit can make an exhausted budget usable again: let it be reported again when it runs out.
        await Db.HashDeleteAsync(BudgetKeys.Counter(scope, id, BudgetPeriods.Key(period, time.GetUtcNow())), ["exhausted", "t100"]);
    }

    /// <summary>Drops a deadline entry whose reservation record no longer exists.</summary>
    public Task ForgetAsync(string reservationId) => Db.SortedSetRemoveAsync(BudgetKeys.Deadlines, reservationId);

    /// <summary>Reservations past their deadline, oldest first.</summary>
    public async Task<string[]> ExpiredReservationsAsync(int max) =>
        (await Db.SortedSetRangeByScoreAsync(BudgetKeys.Deadlines, double.NegativeInfinity, time.GetUtcNow().ToUnixTimeMilliseconds(), take: max))
            .Select(v => (string)v!).ToArray();

    /// <summary>
    /// Redis came back empty (or was flushed): restore limits and the spent totals of every period from the ledger,
    /// then set the marker. Reservations are refused (503) until this is done.
    /// </summary>
    public async Task RebuildAsync()
    {
        var db = Db;
        if (await db.KeyExistsAsync(BudgetKeys.Marker))
        {
            return;
        }

        if (!await db.StringSetAsync(BudgetKeys.RebuildLock, Environment.ProcessId, TimeSpan.FromSeconds(60), When.NotExists))
        {
            // Another instance rebuilds; callers get 503 and retry.
            return;
        }

        try
        {
            await ledger.FlushAsync();
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
        }
        finally
        {
            await db.KeyDeleteAsync(BudgetKeys.RebuildLock);
        }
    }

    private async Task ReportExhaustedIfSoAsync(string scope, string id, long spent, long reserved, long limit, string period, DateTimeOffset now)
    {
        if (limit - spent - reserved >= CheapestCallNanos)
        {
            return;
        }

        // Once per period, like the thresholds.
        var counter = BudgetKeys.Counter(scope, id, BudgetPeriods.Key(BudgetPeriods.TryParse(period, out var p) ? p : BudgetPeriod.Lifetime, now));
        if (await Db.HashSetAsync(counter, "exhausted", 1, When.NotExists))
        {
            events.Crossed($"{scope}:exhausted:{spent}:{limit}", scope == "agent" ? id : "", scope == "project" ? id : null, now);
        }
    }

    private static RedisKey[] Counters(string scope, string id, DateTimeOffset now) =>
    [
        BudgetKeys.Counter(scope, id, BudgetPeriods.Key(BudgetPeriod.Lifetime, now)),
        BudgetKeys.Counter(scope, id, BudgetPeriods.Key(BudgetPeriod.Daily, now)),
        BudgetKeys.Counter(scope, id, BudgetPeriods.Key(BudgetPeriod.Monthly, now)),
    ];

    [LoggerMessage(Level = LogLevel.Error, Message = "Redis is unreachable; reservations fail closed: {Reason}")]
    private static partial void LogRedisDown(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reservation {ReservationId} was committed after its deadline had released it; its cost is recorded")]
    private static partial void LogLateCommit(ILogger logger, string reservationId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rebuilt budgets from the ledger: {Limits} limits, {Counters} period counters")]
    private static partial void LogRebuilt(ILogger logger, int limits, int counters);
}
