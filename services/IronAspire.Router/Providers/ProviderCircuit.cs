using Polly.CircuitBreaker;

namespace IronAspire.Router.Providers;

/// <summary>The observable side of one provider's circuit breaker: its state, and when an open circuit will half-open.</summary>
public sealed class ProviderCircuit(string provider, TimeProvider time)
{
    private long _openedAtTimestamp;

    public string Provider => provider;
    public CircuitBreakerStateProvider StateProvider { get; } = new();
    public CircuitState State => StateProvider.CircuitState;
    public TimeSpan BreakDuration { get; set; }
    public DateTimeOffset? LastChange { get; private set; }
    public string? LastReason { get; private set; }

    internal void OnStateChanged(CircuitState state, string? reason)
    {
        LastChange = time.GetUtcNow();
        LastReason = reason;
        if (state == CircuitState.Open)
        {
            Interlocked.Exchange(ref _openedAtTimestamp, time.GetTimestamp());
        }
    }

    /// <summary>
    /// True while the breaker rejects calls without trying the provider. Polly moves an open circuit to half-open
    /// only when a call is attempted, so once the break has elapsed the next call must be let through as the probe.
    /// </summary>
    public bool IsRejecting => State switch
    {
        CircuitState.Isolated => true,
        CircuitState.Open => time.GetElapsedTime(Interlocked.Read(ref _openedAtTimestamp)) < BreakDuration,
        _ => false,
    };

    /// <summary>Seconds until the breaker lets a probe through; what Retry-After says while it is open.</summary>
    public int RetryAfterSeconds()
    {
        var opened = Interlocked.Read(ref _openedAtTimestamp);
        var remaining = BreakDuration - time.GetElapsedTime(opened);
        return Math.Max(1, (int)Math.Ceiling(remaining.TotalSeconds));
    }
}
