using System.Collections.Concurrent;
using IronAspire.Contracts.Events;

namespace IronAspire.AgentSupervisor.Live;

/// <summary>
/// Counters fed by bus events since this Supervisor started: per agent (requests, failures, rate-limit refusals, tokens, cost, PII by type,
/// last activity), spend per model and each provider's circuit. Analytics keeps the durable history; these answer the
/// dashboard at once and de-duplicate redelivered events by id.
/// </summary>
public sealed class AgentActivity
{
    private const int RememberedEvents = 50_000;

    private readonly ConcurrentDictionary<string, AgentCounters> _agents = new();
    private readonly ConcurrentDictionary<string, ModelSpend> _models = new();
    private readonly ConcurrentDictionary<string, CircuitStatus> _circuits = new();
    private readonly ConcurrentDictionary<Guid, byte> _seen = new();
    private readonly ConcurrentQueue<Guid> _seenOrder = new();

    /// <summary>False when the event was seen before (a redelivery), so it must not be counted again.</summary>
    public bool FirstSeen(Guid eventId)
    {
        if (!_seen.TryAdd(eventId, 0))
        {
            return false;
        }

        _seenOrder.Enqueue(eventId);
        while (_seenOrder.Count > RememberedEvents && _seenOrder.TryDequeue(out var old))
        {
            _seen.TryRemove(old, out _);
        }

        return true;
    }

    public void Completed(LlmRequestCompleted call)
    {
        var counters = For(call.AgentId);
        lock (counters)
        {
            counters.Requests++;
            counters.InputTokens += call.InputTokens;
            counters.OutputTokens += call.OutputTokens;
            counters.CostUsd += call.CostUsd;
            counters.LastActivity = Max(counters.LastActivity, call.Timestamp);
        }

        var model = _models.GetOrAdd(call.Model, _ => new ModelSpend());
        lock (model)
        {
            model.Requests++;
            model.CostUsd += call.CostUsd;
        }
    }

    public void Failed(LlmRequestFailed call)
    {
        var counters = For(call.AgentId);
        lock (counters)
        {
            counters.Requests++;
            counters.Failures++;
            if (call.ErrorType == "rate_limit_exceeded")
            {
                counters.RateLimited++;
            }
            counters.InputTokens += call.InputTokens;
            counters.OutputTokens += call.OutputTokens;
            counters.CostUsd += call.CostUsd;
            counters.LastActivity = Max(counters.LastActivity, call.Timestamp);
        }
    }

    public void Pii(PiiDetected detection)
    {
        var counters = For(detection.AgentId);
        lock (counters)
        {
            foreach (var (type, count) in detection.CountsByType)
            {
                counters.Pii[type] = counters.Pii.GetValueOrDefault(type) + count;
            }

            counters.LastActivity = Max(counters.LastActivity, detection.Timestamp);
        }
    }

    public void Circuit(CircuitStateChanged change) =>
        _circuits[change.Provider] = new CircuitStatus(change.Provider, change.State, change.Reason, change.Timestamp);

    public AgentActivitySnapshot Snapshot(string agentId)
    {
        if (!_agents.TryGetValue(agentId, out var counters))
        {
            return new AgentActivitySnapshot(0, 0, 0, 0, 0m, new Dictionary<string, int>(), null);
        }

        lock (counters)
        {
            return new AgentActivitySnapshot(counters.Requests, counters.Failures, counters.InputTokens, counters.OutputTokens,
                counters.CostUsd, new Dictionary<string, int>(counters.Pii), counters.LastActivity, counters.RateLimited);
        }
    }

    public IReadOnlyList<ModelSpendSnapshot> Models() =>
        _models.Select(m =>
        {
            lock (m.Value)
            {
                return new ModelSpendSnapshot(m.Key, m.Value.Requests, m.Value.CostUsd);
            }
        }).OrderByDescending(m => m.CostUsd).ToArray();

    public IReadOnlyList<CircuitStatus> Circuits() => _circuits.Values.OrderBy(c => c.Provider, StringComparer.Ordinal).ToArray();

    public void Forget(string agentId) => _agents.TryRemove(agentId, out _);

    private AgentCounters For(string agentId) => _agents.GetOrAdd(agentId, _ => new AgentCounters());

    private static DateTimeOffset Max(DateTimeOffset? a, DateTimeOffset b) => a is { } x && x > b ? x : b;

    private sealed class AgentCounters
    {
        public long Requests;
        public long Failures;
        public long RateLimited;
        public long InputTokens;
        public long OutputTokens;
        public decimal CostUsd;
        public readonly Dictionary<string, int> Pii = new(StringComparer.Ordinal);
        public DateTimeOffset? LastActivity;
    }

    private sealed class ModelSpend
    {
        public long Requests;
        public decimal CostUsd;
    }
}

public sealed record AgentActivitySnapshot(long Requests, long Failures, long InputTokens, long OutputTokens, decimal CostUsd,
    IReadOnlyDictionary<string, int> PiiByType, DateTimeOffset? LastActivity, long RateLimited = 0);

public sealed record ModelSpendSnapshot(string Model, long Requests, decimal CostUsd);

public sealed record CircuitStatus(string Provider, string State, string? Reason, DateTimeOffset Since);
