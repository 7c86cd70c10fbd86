namespace IronAspire.Budget.Budgets;

/// <summary>
/// The Lua scripts behind every budget operation. Each runs atomically in Redis, so "check the limit, then count"
/// can never interleave with another caller: that is what makes overspend impossible under any concurrency.
/// The scripts touch a reservation's counters by the names stored in it, so they assume one Redis node (no cluster).
/// </summary>
internal static class BudgetScripts
{
    /// <summary>
    /// Flags the thresholds (50/80/100 %) and exhaustion a counter has reached, each once per period: HSETNX on the
    /// period's own counter is the "once". Appends "scope|what|spent|limit|counter" to <c>out</c>.
    /// </summary>
    private const string Thresholds = """
        local function thresholds(out, counter, limit, scope, cheapest)
          if counter == '' or limit == nil or limit < 0 then return end
          local spent = tonumber(redis.call('HGET', counter, 'spent')) or 0
          for _, t in ipairs({50, 80, 100}) do
            if limit > 0 and spent * 100 >= limit * t and redis.call('HSETNX', counter, 't' .. t, 1) == 1 then
              table.insert(out, scope .. '|' .. t .. '|' .. spent .. '|' .. limit .. '|' .. counter)
            end
          end
          if limit - spent < cheapest and redis.call('HSETNX', counter, 'exhausted', 1) == 1 then
            table.insert(out, scope .. '|exhausted|' .. spent .. '|' .. limit .. '|' .. counter)
          end
        end
        local function currentLimit(cfgKey, fallback)
          if cfgKey == nil or cfgKey == '' then return fallback end
          return tonumber(redis.call('HGET', cfgKey, 'limit')) or fallback
        end

        """;

    /// <summary>
    /// KEYS: marker, agentCfg, projectCfg, deadlines, reservation, request, agent counters (lifetime, daily, monthly),
    /// project counters (lifetime, daily, monthly).
    /// ARGV: amount, deadlineMs, defaultAgentLimit (-1: none), hasProject, agentId, projectId, model, reservationId,
    /// recordTtlSeconds, hasRequest, cheapestCallNanos, ttlSeconds.
    /// Returns {1, remaining, reservationId, amount, deadlineMs} (2 instead of 1: the request id's earlier reservation)
    /// | {-1, scope, spent, reserved, limit, flags...} refused | {-2} rebuild first | {-3, scope} no budget.
    /// </summary>
    public const string Reserve = Thresholds + """
        if redis.call('EXISTS', KEYS[1]) == 0 then return {-2} end
        if ARGV[10] == '1' then
          local earlier = redis.call('GET', KEYS[6])
          if earlier then
            local e = redis.call('HMGET', KEYS[5]:gsub('[^:]+$', earlier), 'amount', 'deadline', 'agentCtr', 'agentLimit')
            if e[1] then
              local v = redis.call('HMGET', e[3], 'spent', 'reserved')
              return {2, tonumber(e[4]) - (tonumber(v[1]) or 0) - (tonumber(v[2]) or 0), earlier, tonumber(e[1]), tonumber(e[2])}
            end
          end
        end
        local function level(cfgKey, lifetimeKey, dailyKey, monthlyKey, defaultLimit)
          local cfg = redis.call('HMGET', cfgKey, 'limit', 'period')
          local limit = tonumber(cfg[1])
          if limit == nil then limit = defaultLimit end
          if limit == nil or limit < 0 then return nil end
          local period = cfg[2] or 'lifetime'
          local counter = lifetimeKey
          if period == 'daily' then counter = dailyKey elseif period == 'monthly' then counter = monthlyKey end
          local v = redis.call('HMGET', counter, 'spent', 'reserved')
          return {limit, counter, tonumber(v[1]) or 0, tonumber(v[2]) or 0}
        end
        local amount = tonumber(ARGV[1])
        local cheapest = tonumber(ARGV[11])
        local function refuse(scope, l)
          local out = {-1, scope, l[3], l[4], l[1]}
          -- Exhausted only by what is spent: budget held by calls in flight may still come back. The cheapest call
          -- is the cheapest this budget has admitted this period (minCall), or the cheapest priced call when it has
          -- admitted none, so an agent refused for the kind of call it makes is exhausted, not left retrying.
          local floor = cheapest
          local smallest = tonumber(redis.call('HGET', l[2], 'minCall'))
          if smallest ~= nil and smallest > floor then floor = smallest end
          if l[1] - l[3] < floor and redis.call('HSETNX', l[2], 'exhausted', 1) == 1 then
            table.insert(out, scope .. '|exhausted|' .. l[3] .. '|' .. l[1] .. '|' .. l[2])
          end
          return out
        end
        local a = level(KEYS[2], KEYS[7], KEYS[8], KEYS[9], tonumber(ARGV[3]))
        if a == nil then return {-3, 'agent'} end
        if a[3] + a[4] + amount > a[1] then return refuse('agent', a) end
        local p = nil
        if ARGV[4] == '1' then
          p = level(KEYS[3], KEYS[10], KEYS[11], KEYS[12], -1)
          if p ~= nil and p[3] + p[4] + amount > p[1] then return refuse('project', p) end
        end
        local function noteCall(counter)
          local smallest = tonumber(redis.call('HGET', counter, 'minCall'))
          if smallest == nil or amount < smallest then redis.call('HSET', counter, 'minCall', amount) end
        end
        redis.call('HINCRBY', a[2], 'reserved', amount)
        noteCall(a[2])
        local remaining = a[1] - a[3] - a[4] - amount
        local projectCounter, projectLimit, projectCfg = '', -1, ''
        if p ~= nil then
          redis.call('HINCRBY', p[2], 'reserved', amount)
          noteCall(p[2])
          projectCounter, projectLimit, projectCfg = p[2], p[1], KEYS[3]
          remaining = math.min(remaining, p[1] - p[3] - p[4] - amount)
        end
        redis.call('HSET', KEYS[5], 'state', 'reserved', 'amount', amount, 'agentCtr', a[2], 'projectCtr', projectCounter,
          'agentCfg', KEYS[2], 'projectCfg', projectCfg, 'agentLimit', a[1], 'projectLimit', projectLimit,
          'agent', ARGV[5], 'project', ARGV[6], 'model', ARGV[7], 'deadline', ARGV[2])
        redis.call('EXPIRE', KEYS[5], tonumber(ARGV[9]))
        if ARGV[10] == '1' then redis.call('SET', KEYS[6], ARGV[8], 'EX', tonumber(ARGV[12])) end
        redis.call('ZADD', KEYS[4], tonumber(ARGV[2]), ARGV[8])
        return {1, remaining, ARGV[8], amount, tonumber(ARGV[2])}
        """;

    /// <summary>
    /// Settles a reservation once: takes it out of "reserved" and adds <c>cost</c> to "spent" (0 for a release); a cost
    /// is also appended to the ledger outbox stream in the same step, so a recorded spend always reaches PostgreSQL.
    /// A commit after the reservation was released or expired still records its cost (the call happened) and is "late".
    /// KEYS: reservation, deadlines, outbox, marker. ARGV: cost, reservationId, final (committed|released|expired),
    /// cheapestCallNanos, nowMs, inputTokens, cachedInputTokens, cacheWriteInputTokens, outputTokens, settledTtlSeconds.
    /// Returns {1|0 (0: settled before, the first answer repeated), cost, late ('' | released | expired), agentSpent,
    /// agentRemaining, agentId, projectId, state, reservedAmount, flags...} | {-404} | {-2} Redis is being rebuilt.
    /// </summary>
    public const string Settle = Thresholds + """
        local r = redis.call('HMGET', KEYS[1], 'state', 'amount', 'agentCtr', 'projectCtr', 'cost', 'agentLimit', 'projectLimit',
          'agent', 'project', 'model', 'agentCfg', 'projectCfg', 'late', 'spentAfter', 'remainingAfter')
        if redis.call('EXISTS', KEYS[4]) == 0 then return {-2} end
        if r[1] == false then return {-404} end
        local state, final = r[1], ARGV[3]
        if state == 'committed' or (state ~= 'reserved' and final ~= 'committed') then
          return {0, tonumber(r[5]) or 0, r[13] or '', tonumber(r[14]) or 0, tonumber(r[15]) or 0, r[8], r[9], state, tonumber(r[2])}
        end
        local cost = tonumber(ARGV[1])
        local late = ''
        if state == 'reserved' then
          redis.call('HINCRBY', r[3], 'reserved', -tonumber(r[2]))
          if r[4] ~= '' then redis.call('HINCRBY', r[4], 'reserved', -tonumber(r[2])) end
        else
          late = state
        end
        if cost > 0 then
          redis.call('HINCRBY', r[3], 'spent', cost)
          if r[4] ~= '' then redis.call('HINCRBY', r[4], 'spent', cost) end
          redis.call('XADD', KEYS[3], '*', 'r', ARGV[2], 'a', r[8], 'p', r[9], 'm', r[10], 'i', ARGV[6], 'c', ARGV[7], 'w', ARGV[8],
            'o', ARGV[9], 'cost', cost, 'ac', r[3], 'pc', r[4], 't', ARGV[5])
        end
        local agentLimit = currentLimit(r[11], tonumber(r[6]))
        local v = redis.call('HMGET', r[3], 'spent', 'reserved')
        local spent = tonumber(v[1]) or 0
        local remaining = math.max(0, agentLimit - spent - (tonumber(v[2]) or 0))
        redis.call('HSET', KEYS[1], 'state', final, 'cost', cost, 'late', late, 'spentAfter', spent, 'remainingAfter', remaining)
        -- A settled record only answers repeated settlements now; an expired one waits a day for a late commit.
        if final ~= 'expired' then redis.call('EXPIRE', KEYS[1], tonumber(ARGV[10])) end
        redis.call('ZREM', KEYS[2], ARGV[2])
        local result = {1, cost, late, spent, remaining, r[8], r[9], final, tonumber(r[2])}
        local cheapest = tonumber(ARGV[4])
        thresholds(result, r[3], agentLimit, 'agent', cheapest)
        thresholds(result, r[4], currentLimit(r[12], tonumber(r[7])), 'project', cheapest)
        return result
        """;

    /// <summary>
    /// Sets a limit. Thresholds the new limit puts out of reach are cleared so they are reported again when reached;
    /// those it crosses at once are reported now.
    /// KEYS: cfg, the current period's counter. ARGV: limit, period, cheapestCallNanos, scope.
    /// Returns the flags.
    /// </summary>
    public const string SetLimit = Thresholds + """
        local limit = tonumber(ARGV[1])
        redis.call('HSET', KEYS[1], 'limit', limit, 'period', ARGV[2])
        local spent = tonumber(redis.call('HGET', KEYS[2], 'spent')) or 0
        for _, t in ipairs({50, 80, 100}) do
          if spent * 100 < limit * t then redis.call('HDEL', KEYS[2], 't' .. t) end
        end
        if limit - spent >= tonumber(ARGV[3]) then redis.call('HDEL', KEYS[2], 'exhausted') end
        local out = {}
        if spent > 0 then thresholds(out, KEYS[2], limit, ARGV[4], tonumber(ARGV[3])) end
        return out
        """;
}
