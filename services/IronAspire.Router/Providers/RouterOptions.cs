using System.ComponentModel.DataAnnotations;

namespace IronAspire.Router.Providers;

/// <summary>The Router's settings, bound from the <c>Router</c> section and validated at start.</summary>
public sealed class RouterOptions
{
    public const string SectionName = "Router";

    /// <summary>Upstream providers. When empty, the MockProvider (service discovery name mock-provider) serves every model.</summary>
    public List<ProviderOptions> Providers { get; set; } = [];

    /// <summary>Request bodies above this size get 413 (default 20 MB).</summary>
    [Range(1024, 1L << 30)]
    public long MaxRequestBodyBytes { get; set; } = 20 * 1024 * 1024;

    /// <summary>Output cap the Router applies (and sends upstream) when a request names none, so the cost bound holds.</summary>
    [Range(1, 1_000_000)]
    public int DefaultMaxOutputTokens { get; set; } = 4096;

    /// <summary>Per-model output caps overriding <see cref="DefaultMaxOutputTokens"/> (glob patterns allowed).</summary>
    public Dictionary<string, int> MaxOutputTokensByModel { get; set; } = [];

    /// <summary>
    /// Per-model fallback models (glob pattern → models tried in order when every provider of the requested model is
    /// open or failing), e.g. <c>"gpt-4o": ["claude-sonnet-4"]</c>. A fallback model may be served in the other API.
    /// </summary>
    public Dictionary<string, List<string>> ModelFallbacks { get; set; } = [];

    /// <summary>How long a resolved agent key is cached; a revoked key stops working within this time (must be under 5 s).</summary>
    [Range(0, 4.5)]
    public double KeyCacheSeconds { get; set; } = 2;

    /// <summary>How long a call waits for Redis to look up an uncached agent key before it is refused (503); a loopback
    /// lookup takes well under a millisecond, so this only bounds a stalled Redis.</summary>
    [Range(50, 30_000)]
    public int KeyLookupTimeoutMs { get; set; } = 1000;

    public ProviderTimeouts Timeouts { get; set; } = new();

    public RouterBudgetOptions Budget { get; set; } = new();

    public ProviderResilienceOptions Resilience { get; set; } = new();

    public RateLimitOptions RateLimits { get; set; } = new();

    public CallEventOptions Events { get; set; } = new();
}

/// <summary>How the calls' events are batched (<see cref="IronAspire.Contracts.Events.CallEventBatch"/>).</summary>
public sealed class CallEventOptions
{
    /// <summary>Calls per broker message at most; a full batch is published at once.</summary>
    [Range(1, 5000)]
    public int BatchSize { get; set; } = 200;

    /// <summary>A batch is published this long after its first call at the latest (what a crash can lose on top of
    /// the publisher's buffer, and how much later the Supervisor's live view sees a call). 50 ms: at a few thousand
    /// calls a second that fills batches of ~200 calls, and the broker's cost is per message (docs/benchmarks.md).</summary>
    [Range(0, 60_000)]
    public double FlushIntervalMs { get; set; } = 50;
}

public sealed class RateLimitOptions
{
    /// <summary>Enforce agents' rate limits (off only for a Router in front of which something else limits).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The sliding window the per-minute limits count over; 60 s except in tests, which shorten it to see it recover.</summary>
    [Range(0.1, 3600)]
    public double WindowSeconds { get; set; } = 60;
}

public sealed class ProviderTimeouts
{
    [Range(0.1, 300)]
    public double ConnectSeconds { get; set; } = 10;

    /// <summary>Until the provider's response headers arrive.</summary>
    [Range(0.1, 3600)]
    public double FirstByteSeconds { get; set; } = 120;

    /// <summary>Longest silence between two chunks of a streamed response.</summary>
    [Range(0.1, 3600)]
    public double StreamIdleSeconds { get; set; } = 60;

    /// <summary>Upper bound on a whole call; also the floor of the budget reservation's lifetime.</summary>
    [Range(1, 7200)]
    public double MaxCallSeconds { get; set; } = 600;
}

public sealed class ProviderResilienceOptions
{
    [Range(0.01, 1.0)]
    public double FailureRatio { get; set; } = 0.5;

    [Range(2, 100_000)]
    public int MinimumThroughput { get; set; } = 10;

    [Range(0.5, 3600)]
    public double SamplingSeconds { get; set; } = 30;

    [Range(0.5, 3600)]
    public double BreakSeconds { get; set; } = 30;

    [Range(0, 5)]
    public int MaxRetries { get; set; } = 2;

    [Range(0, 60_000)]
    public int RetryBaseDelayMs { get; set; } = 200;

    /// <summary>A Retry-After longer than this is not waited for: the error goes to the client instead.</summary>
    [Range(0, 600)]
    public double MaxRetryAfterSeconds { get; set; } = 10;
}

public sealed class RouterBudgetOptions
{
    /// <summary>Reserve every billable call against the budget counters in Redis (the Budget service when Redis cannot). Off only for a Router without budgets.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How long a reservation may wait for the Budget service when Redis cannot reserve it; then 503.</summary>
    public double FallbackTimeoutSeconds { get; set; } = 3;

    /// <summary>
    /// At shutdown, how long settlements still waiting for Redis keep trying; after that each call's event is published
    /// with its cost from the price table, and its reservation is left to expire (the budget does not count that call).
    /// </summary>
    [Range(0, 120)]
    public double SettleOnStopSeconds { get; set; } = 10;
}
