using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace IronAspire.Router;

/// <summary>The Router's meter and activity source (exported by ServiceDefaults under the IronAspire.* prefix).</summary>
public sealed class RouterMetrics : IDisposable
{
    public const string Name = "IronAspire.Router";

    private readonly Meter _meter;

    public RouterMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(Name);
        Requests = _meter.CreateCounter<long>("ironaspire.router.requests", description: "LLM calls handled, by provider, model and outcome");
        Retries = _meter.CreateCounter<long>("ironaspire.router.retries", description: "Upstream retries before the first byte");
        CircuitChanges = _meter.CreateCounter<long>("ironaspire.router.circuit.state_changes", description: "Circuit breaker state changes per provider");
        RateLimited = _meter.CreateCounter<long>("ironaspire.router.rate_limited", description: "Calls refused by an agent's rate limit, by limit (requests, tokens, concurrency)");
        TimeToFirstByte = _meter.CreateHistogram<double>("ironaspire.router.time_to_first_byte", unit: "ms");
    }

    public Counter<long> Requests { get; }
    public Counter<long> Retries { get; }
    public Counter<long> CircuitChanges { get; }
    public Counter<long> RateLimited { get; }
    public Histogram<double> TimeToFirstByte { get; }

    public void Dispose() => _meter.Dispose();
}
