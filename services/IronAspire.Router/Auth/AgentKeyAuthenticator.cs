using System.Collections.Concurrent;
using IronAspire.Contracts.Agents;
using Microsoft.AspNetCore.Builder;
using IronAspire.Router.Providers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace IronAspire.Router.Auth;

/// <summary>
/// Resolves an agent key to the agent it belongs to. Keys live in Redis as SHA-256 hashes (written by the control
/// plane, see <see cref="AgentKeyFormat"/>); results are cached for <see cref="RouterOptions.KeyCacheSeconds"/> so a
/// revoked key stops working within that time, and Redis is not asked on every call. A lookup Redis does not answer
/// within <see cref="RouterOptions.KeyLookupTimeoutMs"/> fails closed at once (a stalled Redis must not hold calls for
/// the client library's own timeout): a key seen valid a moment ago keeps working, any other is
/// <see cref="AgentKeyCheck.Unavailable"/> (503), never a false 401.
/// </summary>
public sealed partial class AgentKeyAuthenticator(
    IConnectionMultiplexer redis,
    IOptions<RouterOptions> options,
    IOptions<DemoAgentOptions> demo,
    TimeProvider time,
    ILogger<AgentKeyAuthenticator> logger)
{
    private readonly ConcurrentDictionary<string, CachedIdentity> _cache = new(StringComparer.Ordinal);
    private readonly long _ttlTicks = (long)(options.Value.KeyCacheSeconds * TimeProvider.System.TimestampFrequency);
    private readonly TimeSpan _lookupTimeout = TimeSpan.FromMilliseconds(options.Value.KeyLookupTimeoutMs);

    public async ValueTask<AgentKeyCheck> AuthenticateAsync(string? key)
    {
        if (string.IsNullOrEmpty(key) || key.Length > 512)
        {
            return AgentKeyCheck.Refused;
        }

        var now = time.GetTimestamp();
        if (_cache.TryGetValue(key, out var cached) && now - cached.Timestamp < _ttlTicks)
        {
            return AgentKeyCheck.Of(cached.Identity);
        }

        // Constant time (over hashes), as every key comparison: the demo key is a secret like any agent key.
        if (ServiceCredentials.Matches(key, demo.Value.Key))
        {
            var demoLimits = demo.Value.Limits is { IsEmpty: false } limits ? limits : null;
            return Remember(key, new AgentIdentity(demo.Value.AgentId, demo.Value.ProjectId, demo.Value.Models is { Length: > 0 } models ? models : null, demoLimits), now);
        }

        AgentIdentity? identity;
        try
        {
            var fields = await redis.GetDatabase().HashGetAsync(
                AgentKeyFormat.RedisKey(key),
                [
                    AgentKeyFormat.AgentIdField, AgentKeyFormat.ProjectIdField, AgentKeyFormat.ModelsField,
                    AgentKeyFormat.RequestsPerMinuteField, AgentKeyFormat.TokensPerMinuteField, AgentKeyFormat.MaxConcurrentField,
                ]).WaitAsync(_lookupTimeout, time);
            identity = fields[0].IsNullOrEmpty
                ? null
                : new AgentIdentity(fields[0]!, fields[1].IsNullOrEmpty ? null : (string?)fields[1], AgentKeyFormat.ParseModels(fields[2]),
                    AgentKeyFormat.ParseLimits(fields[3], fields[4], fields[5]));
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // Fail closed, but keep serving keys that were valid a moment ago.
            LogLookupFailed(logger, ex.Message);
            return cached is not null ? AgentKeyCheck.Of(cached.Identity) : AgentKeyCheck.Unavailable;
        }

        if (_cache.Count > 100_000)
        {
            _cache.Clear();
        }

        return Remember(key, identity, now);
    }

    private AgentKeyCheck Remember(string key, AgentIdentity? identity, long now)
    {
        _cache[key] = new CachedIdentity(identity, now);
        return AgentKeyCheck.Of(identity);
    }

    private sealed record CachedIdentity(AgentIdentity? Identity, long Timestamp);

    [LoggerMessage(Level = LogLevel.Error, Message = "Agent key lookup in Redis failed: {Reason}")]
    private static partial void LogLookupFailed(ILogger logger, string reason);
}
