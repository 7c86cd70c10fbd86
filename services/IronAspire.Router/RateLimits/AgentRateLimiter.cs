using System.Globalization;
using IronAspire.Contracts.Agents;
using IronAspire.Router.Errors;
using IronAspire.Router.Providers;
using IronAspire.Router.Proxy;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace IronAspire.Router.RateLimits;

/// <summary>A call admitted under its agent's limits: its concurrency slot is held until <see cref="AgentRateLimiter.EndAsync"/>.</summary>
public sealed record RateLimitLease(string CallId, string AgentId, AgentLimits Limits);

/// <summary>
/// Per-agent rate limits, enforced atomically in Redis across Router replicas (docs/router.md, "Rate limits"): calls
/// and tokens in a sliding window of <see cref="RateLimitOptions.WindowSeconds"/>, and calls in flight. Checked before
/// the budget reservation; a refusal is a 429 <c>rate_limit_exceeded</c> with <c>Retry-After</c> and the
/// <c>x-ratelimit-*</c> headers. While Redis is unreachable calls are let through (the budget still bounds the spend).
/// </summary>
public sealed partial class AgentRateLimiter(IConnectionMultiplexer redis, IOptions<RouterOptions> options, RouterMetrics metrics, ILogger<AgentRateLimiter> logger)
{
    private readonly RateLimitOptions _options = options.Value.RateLimits;
    private readonly long _windowMs = (long)(options.Value.RateLimits.WindowSeconds * 1000);

    /// <summary>A slot outlives the longest call, so only a Router that died leaves one behind — and only that long.</summary>
    private readonly long _slotTtlMs = (long)((options.Value.Timeouts.MaxCallSeconds + 60) * 1000);

    public const string RefusalCode = "rate_limit_exceeded";

    /// <summary>Admits the call or refuses it (the refusal carries its headers in <see cref="LlmCall.RateLimit"/>); null lease when the agent has no limits.</summary>
    public async ValueTask<(RateLimitLease? Lease, ApiError? Refusal)> AdmitAsync(LlmCall call)
    {
        if (!_options.Enabled || call.Agent.Limits is not { IsEmpty: false } limits)
        {
            return (null, null);
        }

        var lease = new RateLimitLease(Guid.CreateVersion7().ToString("N"), call.Agent.AgentId, limits);
        RedisResult[] result;
        try
        {
            result = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(
                RateLimitScripts.Admit,
                [CallsKey(lease.AgentId), TokensKey(lease.AgentId), InFlightKey(lease.AgentId)],
                [_windowMs, limits.RequestsPerMinute ?? 0, limits.TokensPerMinute ?? 0, limits.MaxConcurrent ?? 0, lease.CallId, _slotTtlMs]))!;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogUnavailable(logger, call.Agent.AgentId, ex.Message);
            return (null, null);
        }

        var outcome = (long)result[0];
        if (outcome == 1)
        {
            call.RateLimit = new RateLimitState(
                limits.RequestsPerMinute, (limits.RequestsPerMinute ?? 0) - (long)result[1], (long)result[3],
                limits.TokensPerMinute, (limits.TokensPerMinute ?? 0) - (long)result[2], (long)result[4]);
            return (lease, null);
        }

        var (count, resetMs) = ((long)result[1], (long)result[2]);
        var limit = outcome switch { -1 => "requests", -2 => "tokens", _ => "concurrency" };
        metrics.RateLimited.Add(1, new KeyValuePair<string, object?>("limit", limit));
        LogRefused(logger, call.Agent.AgentId, limit, count);
        call.RateLimit = outcome switch
        {
            -1 => new RateLimitState(limits.RequestsPerMinute, 0, resetMs, null, 0, 0),
            -2 => new RateLimitState(null, 0, 0, limits.TokensPerMinute, 0, resetMs),
            _ => null,
        };
        var retryAfter = (int)Math.Max(1, Math.Ceiling(resetMs / 1000.0));
        var message = outcome switch
        {
            -1 => $"Rate limit reached for agent '{call.Agent.AgentId}': {limits.RequestsPerMinute} requests per {Window}; try again in {RateLimitState.Duration(resetMs)}.",
            -2 => $"Rate limit reached for agent '{call.Agent.AgentId}': {limits.TokensPerMinute} tokens per {Window} (used {count}); try again in {RateLimitState.Duration(resetMs)}.",
            _ => $"Rate limit reached for agent '{call.Agent.AgentId}': at most {limits.MaxConcurrent} calls at once.",
        };
        return (null, new ApiError(429, RefusalCode, message, RetryAfterSeconds: retryAfter));
    }

    /// <summary>The call is over, however it ended: frees its slot and counts its tokens. Never throws.</summary>
    public async Task EndAsync(RateLimitLease lease, long tokens)
    {
        try
        {
            await redis.GetDatabase().ScriptEvaluateAsync(
                RateLimitScripts.End,
                [TokensKey(lease.AgentId), InFlightKey(lease.AgentId)],
                [_windowMs, lease.CallId, tokens, lease.Limits.TokensPerMinute is null ? "0" : "1"]);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // The slot expires by itself (its score is its deadline); the tokens go uncounted.
            LogUnavailable(logger, lease.AgentId, ex.Message);
        }
    }

    private string Window => _options.WindowSeconds == 60 ? "minute" : _options.WindowSeconds.ToString(CultureInfo.InvariantCulture) + " s";

    // One hash tag per agent: an agent's keys stay on one node of a cluster.
    private static RedisKey CallsKey(string agentId) => $"ironaspire:ratelimit:{{{agentId}}}:calls";

    private static RedisKey TokensKey(string agentId) => $"ironaspire:ratelimit:{{{agentId}}}:tokens";

    private static RedisKey InFlightKey(string agentId) => $"ironaspire:ratelimit:{{{agentId}}}:inflight";

    [LoggerMessage(Level = LogLevel.Information, Message = "Agent {AgentId} refused by its {Limit} limit ({Count} in the window)")]
    private static partial void LogRefused(ILogger logger, string agentId, string limit, long count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rate limits of agent {AgentId} not enforced: Redis unreachable ({Reason})")]
    private static partial void LogUnavailable(ILogger logger, string agentId, string reason);
}
