using System.Collections.Concurrent;
using System.Text.Json;
using IronAspire.Pii.Redaction;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace IronAspire.Pii.Policies;

/// <summary>
/// The Router's view of the policies: the effective, compiled policy per agent, served from memory. A change is seen
/// within one refresh interval (250 ms by default, at most 1 s): every change publishes on
/// <see cref="PiiPolicyStore.ChangedChannel"/>, which wakes the refresher at once, and the refresher also polls the
/// version counter in case a notification was missed. Only an agent's first call waits for Redis; later calls never
/// do, and when Redis cannot be read the last known (or built-in default) policy keeps applying.
/// </summary>
public sealed partial class PiiPolicyCache : IAsyncDisposable
{
    private const string DefaultOnly = "";

    private readonly PiiPolicyStore _store;
    private readonly IConnectionMultiplexer _redis;
    private readonly PiiPseudonymizer _pseudonymizer;
    private readonly ILogger<PiiPolicyCache> _logger;
    private readonly TimeSpan _interval;
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _wake = new(0);
    private readonly CancellationTokenSource _stop = new();
    private Task? _refresher;
    private int _started;
    private bool _subscribed;
    private long _seenVersion = -1;

    public PiiPolicyCache(PiiPolicyStore store, IConnectionMultiplexer redis, PiiPseudonymizer pseudonymizer,
        IOptions<PiiOptions> options, ILogger<PiiPolicyCache> logger)
    {
        _store = store;
        _redis = redis;
        _pseudonymizer = pseudonymizer;
        _logger = logger;
        _interval = TimeSpan.FromMilliseconds(options.Value.RefreshIntervalMilliseconds);
    }

    /// <summary>The effective policy of <paramref name="agentId"/> (the default when null). Completes synchronously once cached.</summary>
    public ValueTask<CompiledPiiPolicy> GetAsync(string? agentId)
    {
        EnsureStarted();
        return _entries.TryGetValue(agentId ?? DefaultOnly, out var entry)
            ? ValueTask.FromResult(entry.Compiled)
            : new ValueTask<CompiledPiiPolicy>(LoadAsync(agentId ?? DefaultOnly));
    }

    private async Task<CompiledPiiPolicy> LoadAsync(string key)
    {
        Entry entry;
        try
        {
            var (version, defaultJson, agents) = await _store.ReadRawAsync(key.Length == 0 ? [] : [key]);
            entry = Build(version, defaultJson, key.Length == 0 ? RedisValue.Null : agents[0]);
        }
        catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException)
        {
            LogRedisUnavailable(_logger, e);
            // Version -1: the refresher replaces this as soon as Redis answers. An agent's override is unknown, so
            // the default (last known, else built in) applies meanwhile.
            var fallback = _entries.TryGetValue(DefaultOnly, out var known) && known.Version >= 0
                ? known.Compiled
                : new CompiledPiiPolicy(PiiPolicy.BuiltInDefault, _pseudonymizer);
            entry = new Entry(fallback, RedisValue.Null, RedisValue.Null, -1);
        }

        return _entries.AddOrUpdate(key, entry, (_, current) => current.Version > entry.Version ? current : entry).Compiled;
    }

    private Entry Build(long version, RedisValue defaultJson, RedisValue agentJson)
    {
        var basePolicy = ParseOrDefault(defaultJson, "default") ?? PiiPolicy.BuiltInDefault;
        var agent = ParseOrDefault(agentJson, "agent");
        var effective = agent?.Over(basePolicy) ?? basePolicy;
        return new Entry(new CompiledPiiPolicy(effective, _pseudonymizer), defaultJson, agentJson, version);
    }

    private PiiPolicy? ParseOrDefault(RedisValue json, string which)
    {
        try
        {
            return PiiPolicyStore.Parse(json);
        }
        catch (Exception e) when (e is JsonException or ArgumentException or NotSupportedException)
        {
            // Written by something other than the Safety service: keep running on the defaults rather than fail calls.
            LogCorruptPolicy(_logger, which, e);
            return null;
        }
    }

    private void EnsureStarted()
    {
        if (_started == 0 && Interlocked.Exchange(ref _started, 1) == 0)
        {
            // The first caller is a request: without this the loop would carry that request's trace (Activity.Current
            // flows with the execution context) and every poll of Redis, for the life of the process, would join it.
            using (ExecutionContext.SuppressFlow())
            {
                _refresher = Task.Run(RefreshLoopAsync);
            }
        }
    }

    private async Task RefreshLoopAsync()
    {
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            try
            {
                if (!_subscribed)
                {
                    await _redis.GetSubscriber().SubscribeAsync(PiiPolicyStore.ChangedChannel, (_, _) => _wake.Release());
                    _subscribed = true;
                }

                var woken = await _wake.WaitAsync(_interval, token);
                while (_wake.CurrentCount > 0)
                {
                    await _wake.WaitAsync(token);
                }

                await RefreshAsync(force: woken);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogRefreshFailed(_logger, e);
                try
                {
                    await Task.Delay(_interval, token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Reloads every cached policy when the version moved (or when told to).</summary>
    internal async Task RefreshAsync(bool force)
    {
        if (_entries.IsEmpty)
        {
            return;
        }

        var stale = _entries.Values.Any(e => e.Version < 0);
        if (!force && !stale && await _store.GetVersionAsync() == Interlocked.Read(ref _seenVersion))
        {
            return;
        }

        var agents = _entries.Keys.Where(k => k.Length > 0).ToArray();
        var (version, defaultJson, agentJsons) = await _store.ReadRawAsync(agents);
        for (var i = -1; i < agents.Length; i++)
        {
            var key = i < 0 ? DefaultOnly : agents[i];
            var agentJson = i < 0 ? RedisValue.Null : agentJsons[i];
            if (i < 0 && !_entries.ContainsKey(DefaultOnly))
            {
                continue;
            }

            _entries.AddOrUpdate(key,
                _ => Build(version, defaultJson, agentJson),
                (_, current) => current.DefaultJson == defaultJson && current.AgentJson == agentJson && current.Version >= 0
                    ? current with { Version = version }
                    : Build(version, defaultJson, agentJson));
        }

        Interlocked.Exchange(ref _seenVersion, version);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_refresher is not null)
        {
            await _refresher.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        if (_subscribed)
        {
            try
            {
                // Bounded: a stalled Redis must not hold the host's disposal for the client's own timeout.
                await _redis.GetSubscriber().UnsubscribeAsync(PiiPolicyStore.ChangedChannel).WaitAsync(TimeSpan.FromSeconds(1));
            }
            catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException)
            {
                // The connection is going away with the host (RedisTimeoutException is a TimeoutException, not a RedisException).
            }
        }

        _stop.Dispose();
        _wake.Dispose();
    }

    private sealed record Entry(CompiledPiiPolicy Compiled, RedisValue DefaultJson, RedisValue AgentJson, long Version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "PII policies could not be read from Redis; applying the last known or built-in default policy")]
    private static partial void LogRedisUnavailable(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "The stored {Which} PII policy is not valid JSON for a policy; ignoring it")]
    private static partial void LogCorruptPolicy(ILogger logger, string which, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refreshing PII policies failed; retrying")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception);
}
