using IronAspire.Router.Proxy;

namespace IronAspire.Router.Governance;

/// <summary>The events the Router publishes: one per call, PII findings, circuit changes.</summary>
public sealed class RouterEvents
{
    public void CallFinished(LlmCall call)
    {
    }

    public void CircuitChanged(string provider, string state, string? reason)
    {
    }
}
