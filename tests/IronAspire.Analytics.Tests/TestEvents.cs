using IronAspire.Contracts.Events;

namespace IronAspire.Analytics.Tests;

/// <summary>A deterministic mix of calls: several agents and models, every fifth one failing, every third with PII.</summary>
public sealed class TestEvents(string run)
{
    public static readonly string[] Models = ["gpt-4o-mini", "gpt-4o", "claude-sonnet-4"];

    public List<LlmRequestCompleted> Completed { get; } = [];
    public List<LlmRequestFailed> Failed { get; } = [];
    public List<PiiDetected> Pii { get; } = [];

    public string Agent(int i) => $"{run}-agent-{i % 3}";

    /// <summary>Makes call number <paramref name="i"/> and returns its events (one request event, maybe a PII event).</summary>
    public IReadOnlyList<IIronAspireEvent> Call(int i, DateTimeOffset? at = null)
    {
        var timestamp = at ?? DateTimeOffset.UtcNow;
        var model = Models[i % Models.Length];
        var provider = model.StartsWith("claude", StringComparison.Ordinal) ? "anthropic" : "openai";
        var requestId = $"{run}-req-{i}";
        var events = new List<IIronAspireEvent>();
        if (i % 5 == 4)
        {
            var failed = new LlmRequestFailed(Guid.NewGuid(), requestId, Agent(i), "proj-" + run, provider, model,
                10 + i, 0, 0, 0m, 5 + i % 7, null, false, 502, "upstream_error", timestamp);
            Failed.Add(failed);
            events.Add(failed);
        }
        else
        {
            var completed = new LlmRequestCompleted(Guid.NewGuid(), requestId, Agent(i), "proj-" + run, provider, model,
                100 + i, i % 4 * 10, 20 + i % 50, 0.000123456m * (1 + i % 9), 50 + i % 200, 10 + i % 20, i % 2 == 0, 200, timestamp);
            Completed.Add(completed);
            events.Add(completed);
        }

        if (i % 3 == 0)
        {
            var counts = new Dictionary<string, int> { ["EMAIL_ADDRESS"] = 1 + i % 2 };
            if (i % 6 == 0)
            {
                counts["PHONE_NUMBER"] = 2;
            }

            var pii = new PiiDetected(Guid.NewGuid(), requestId, Agent(i), "proj-" + run, PiiDirection.Request, counts, "redact", timestamp);
            Pii.Add(pii);
            events.Add(pii);
        }

        return events;
    }

    public long Requests => Completed.Count + Failed.Count;

    public long InputTokens => Completed.Sum(e => e.InputTokens) + Failed.Sum(e => e.InputTokens);

    public long CachedInputTokens => Completed.Sum(e => e.CachedInputTokens) + Failed.Sum(e => e.CachedInputTokens);

    public long OutputTokens => Completed.Sum(e => e.OutputTokens) + Failed.Sum(e => e.OutputTokens);

    public decimal CostUsd => Completed.Sum(e => e.CostUsd) + Failed.Sum(e => e.CostUsd);

    public Dictionary<string, long> PiiByType => Pii.SelectMany(p => p.CountsByType)
        .GroupBy(kv => kv.Key).ToDictionary(g => g.Key, g => (long)g.Sum(kv => kv.Value));
}
