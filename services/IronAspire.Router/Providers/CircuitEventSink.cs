using Microsoft.Extensions.Logging;
using IronAspire.Router.Governance;
using Polly.CircuitBreaker;

namespace IronAspire.Router.Providers;

/// <summary>Where a provider's circuit changes go: the log, the metrics and (through the event bus) the operators.</summary>
internal sealed partial class CircuitEventSink(ILogger<CircuitEventSink> logger, RouterMetrics metrics, RouterEvents events)
{
    public void Changed(string provider, CircuitState state, string? reason)
    {
        LogChanged(logger, provider, state, reason ?? "-");
        metrics.CircuitChanges.Add(1,
            new KeyValuePair<string, object?>("provider", provider),
            new KeyValuePair<string, object?>("state", state.ToString()));
        events.CircuitChanged(provider, state.ToString(), reason);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Circuit of provider {Provider} is now {State} ({Reason})")]
    private static partial void LogChanged(ILogger logger, string provider, CircuitState state, string reason);
}
