namespace IronAspire.Router.RateLimits;

/// <summary>
/// The Lua scripts behind per-agent rate limits. Each runs atomically in Redis, so every Router replica sees one count:
/// sliding windows (sorted sets scored by Redis' own clock, so replicas' clocks do not matter) of the calls admitted and
/// of the tokens used, and a set of the calls in flight, each scored by when its slot expires should its Router die.
/// </summary>
internal static class RateLimitScripts
{
    /// <summary>
    /// KEYS: calls window, tokens window, calls in flight. ARGV: windowMs, requestsPerMinute, tokensPerMinute,
    /// maxConcurrent (0: no limit), callId, slotTtlMs.
    /// Returns {1, callsInWindow, tokensInWindow, callsResetMs, tokensResetMs, inFlight} when admitted (counts include
    /// this call), {-1|-2|-3, count, resetMs} when refused by calls, tokens or concurrency.
    /// </summary>
    public const string Admit = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local window = tonumber(ARGV[1])
        local rpm, tpm, maxConcurrent = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
        local function resetOf(key)
          local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
          if oldest[2] then return tonumber(oldest[2]) + window - now end
          return window
        end
        local calls, callsReset = 0, window
        if rpm > 0 then
          redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
          calls = redis.call('ZCARD', KEYS[1])
          if calls >= rpm then return {-1, calls, resetOf(KEYS[1])} end
        end
        local tokens, tokensReset = 0, window
        if tpm > 0 then
          redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - window)
          for _, entry in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
            tokens = tokens + tonumber(string.match(entry, ':(%d+)$'))
          end
          if tokens >= tpm then return {-2, tokens, resetOf(KEYS[2])} end
          tokensReset = resetOf(KEYS[2])
        end
        local inFlight = 0
        if maxConcurrent > 0 then
          redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
          inFlight = redis.call('ZCARD', KEYS[3])
          if inFlight >= maxConcurrent then return {-3, inFlight, 1000} end
          redis.call('ZADD', KEYS[3], now + tonumber(ARGV[6]), ARGV[5])
          redis.call('PEXPIRE', KEYS[3], tonumber(ARGV[6]))
          inFlight = inFlight + 1
        end
        if rpm > 0 then
          redis.call('ZADD', KEYS[1], now, ARGV[5])
          redis.call('PEXPIRE', KEYS[1], window)
          calls = calls + 1
          callsReset = resetOf(KEYS[1])
        end
        return {1, calls, tokens, callsReset, tokensReset, inFlight}
        """;

    /// <summary>
    /// KEYS: tokens window, calls in flight. ARGV: windowMs, callId, tokens (0: none to count), hasTokenLimit.
    /// Counts the call's tokens in the window and frees its slot.
    /// </summary>
    public const string End = """
        redis.call('ZREM', KEYS[2], ARGV[2])
        local tokens = tonumber(ARGV[3])
        if ARGV[4] == '1' and tokens > 0 then
          local t = redis.call('TIME')
          local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
          redis.call('ZADD', KEYS[1], now, ARGV[2] .. ':' .. tokens)
          redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]))
        end
        return 1
        """;
}
