namespace IronAspire.Budget.Budgets;

/// <summary>
/// The Lua scripts behind every budget operation. Each runs atomically in Redis, so "check the limit, then count"
/// can never interleave with another caller: that is what makes overspend impossible under any concurrency.
/// </summary>
internal static class BudgetScripts
{
    /// <summary>
    /// KEYS: marker, agentCfg, projectCfg, deadlines, reservation, agent counters (lifetime, daily, monthly),
    /// project counters (lifetime, daily, monthly).
    /// ARGV: amount, deadlineMs, defaultAgentLimit (-1: none), hasProject, agentId, projectId, model, reservationId, ttlSeconds.
    /// Returns {1, agentRemaining, projectRemaining|-1, agentLimit} | {-1, scope, spent, reserved, limit, period} | {-2} rebuild | {-3, scope} no budget.
    /// </summary>
    public const string Reserve = """"
        if redis.call('EXISTS', KEYS[1]) == 0 then return {-2} end
        local function level(cfgKey, lifetimeKey, dailyKey, monthlyKey, defaultLimit)
          local cfg = redis.call('HMGET', cfgKey, 'limit', 'period')
          local limit = tonumber(cfg[1])
          if limit == nil then limit = defaultLimit end
          if limit == nil or limit < 0 then return nil end
          local period = cfg[2] or 'lifetime'
          local counter = lifetimeKey
          if period == 'daily' then counter = dailyKey elseif period == 'monthly' then counter = monthlyKey end
          local v = redis.call('HMGET', counter, 'spent', 'reserved')
          return {limit, counter, tonumber(v[1]) or 0, tonumber(v[2]) or 0, period}
        end
        local amount = tonumber(ARGV[1])
        local a = level(KEYS[2], KEYS[6], KEYS[7], KEYS[8], tonumber(ARGV[3]))
        if a == nil then return {-3, 'agent'} end
        if a[3] + a[4] + amount > a[1] then return {-1, 'agent', a[3], a[4], a[1], a[5]} end
        local p = nil
        if ARGV[4] == '1' then
          p = level(KEYS[3], KEYS[9], KEYS[10], KEYS[11], -1)
          if p ~= nil and p[3] + p[4] + amount > p[1] then return {-1, 'project', p[3], p[4], p[1], p[5]} end
        end
        redis.call('HINCRBY', a[2], 'reserved', amount)
        local projectCounter, projectLimit, projectRemaining = '', -1, -1
        if p ~= nil then
          redis.call('HINCRBY', p[2], 'reserved', amount)
          projectCounter, projectLimit, projectRemaining = p[2], p[1], p[1] - p[3] - p[4] - amount
        end
        redis.call('HSET', KEYS[5], 'state', 'reserved', 'amount', amount, 'agentCtr', a[2], 'projectCtr', projectCounter,
          'agentLimit', a[1], 'projectLimit', projectLimit, 'agent', ARGV[5], 'project', ARGV[6], 'model', ARGV[7], 'deadline', ARGV[2])
        redis.call('EXPIRE', KEYS[5], tonumber(ARGV[9]))
        redis.call('ZADD', KEYS[4], tonumber(ARGV[2]), ARGV[8])
        return {1, a[1] - a[3] - a[4] - amount, projectRemaining, a[1]}
        """";

    /// <summary>
    /// Settles a reservation: moves it out of "reserved" and adds <c>cost</c> to "spent" (0 for a release), once.
    /// KEYS: reservation, deadlines. ARGV: cost, reservationId, finalState (committed|released|expired), cheapestCallNanos.
    /// Returns {1, cost, agentSpent, agentLimit, late, agentId, projectId, crossed thresholds...} | {0, cost, previousState} already settled | {-404}.
    /// Thresholds (50/80/100%) and exhaustion are flagged with HSETNX in the period's counter, so each is reported once.
    /// </summary>
    public const string Settle = """"
        local r = redis.call('HMGET', KEYS[1], 'state', 'amount', 'agentCtr', 'projectCtr', 'cost', 'agentLimit', 'projectLimit', 'agent', 'project')
        if r[1] == false then return {-404} end
        local final = ARGV[3]
        local cost = tonumber(ARGV[1])
        if r[1] == 'committed' or (r[1] ~= 'reserved' and final ~= 'committed') then
          return {0, tonumber(r[5]) or 0, r[1]}
        end
        local late = 0
        if r[1] == 'reserved' then
          redis.call('HINCRBY', r[3], 'reserved', -tonumber(r[2]))
          if r[4] ~= '' then redis.call('HINCRBY', r[4], 'reserved', -tonumber(r[2])) end
        else
          -- Released by the sweeper, yet the call happened: its spend is real and is recorded.
          late = 1
        end
        if cost > 0 then
          redis.call('HINCRBY', r[3], 'spent', cost)
          if r[4] ~= '' then redis.call('HINCRBY', r[4], 'spent', cost) end
        end
        redis.call('HSET', KEYS[1], 'state', final, 'cost', cost)
        redis.call('ZREM', KEYS[2], ARGV[2])
        local result = {1, cost, 0, tonumber(r[6]), late, r[8], r[9]}
        local cheapest = tonumber(ARGV[4])
        local function thresholds(counter, limit, scope)
          if counter == '' or limit == nil or limit < 0 then return 0 end
          local v = redis.call('HMGET', counter, 'spent', 'reserved')
          local spent = tonumber(v[1]) or 0
          for _, t in ipairs({50, 80, 100}) do
            if limit > 0 and spent * 100 >= limit * t and redis.call('HSETNX', counter, 't' .. t, 1) == 1 then
              table.insert(result, scope .. ':' .. t .. ':' .. spent .. ':' .. limit)
            end
          end
          if limit - spent < cheapest and redis.call('HSETNX', counter, 'exhausted', 1) == 1 then
            table.insert(result, scope .. ':exhausted:' .. spent .. ':' .. limit)
          end
          return spent
        end
        result[3] = thresholds(r[3], tonumber(r[6]), 'agent')
        thresholds(r[4], tonumber(r[7]), 'project')
        return result
        """";
}
