using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace IronAspire.Router.Providers;

/// <summary>Builds one provider's resilience pipeline: retry (outermost), circuit breaker, time-to-first-byte timeout.</summary>
internal sealed partial class ProviderPipelineFactory(
    RouterOptions options,
    TimeProvider time,
    ILogger<ProviderPipelineFactory> logger,
    RouterMetrics metrics,
    CircuitEventSink circuitEvents)
{
    public ResiliencePipeline<HttpResponseMessage> Create(ProviderCircuit circuit)
    {
        var r = options.Resilience;
        circuit.BreakDuration = TimeSpan.FromSeconds(r.BreakSeconds);

        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time };

        if (r.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = r.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(r.RetryBaseDelayMs),
                ShouldHandle = args => ValueTask.FromResult(IsRetryable(args.Outcome, r)),
                DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Result, r)),
                OnRetry = args =>
                {
                    // The failed response is never shown to the client; free its connection.
                    args.Outcome.Result?.Dispose();
                    metrics.Retries.Add(1, new KeyValuePair<string, object?>("provider", circuit.Provider));
                    LogRetry(logger, circuit.Provider, args.AttemptNumber + 1, Describe(args.Outcome));
                    return ValueTask.CompletedTask;
                },
            });
        }

        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
        {
            FailureRatio = r.FailureRatio,
            MinimumThroughput = r.MinimumThroughput,
            SamplingDuration = TimeSpan.FromSeconds(r.SamplingSeconds),
            BreakDuration = TimeSpan.FromSeconds(r.BreakSeconds),
            StateProvider = circuit.StateProvider,
            ShouldHandle = args => ValueTask.FromResult(IsProviderFailure(args.Outcome)),
            OnOpened = args =>
            {
                var reason = Describe(args.Outcome);
                circuit.OnStateChanged(CircuitState.Open, reason);
                circuitEvents.Changed(circuit.Provider, CircuitState.Open, reason);
                return ValueTask.CompletedTask;
            },
            OnHalfOpened = _ =>
            {
                circuit.OnStateChanged(CircuitState.HalfOpen, null);
                circuitEvents.Changed(circuit.Provider, CircuitState.HalfOpen, null);
                return ValueTask.CompletedTask;
            },
            OnClosed = args =>
            {
                circuit.OnStateChanged(CircuitState.Closed, null);
                circuitEvents.Changed(circuit.Provider, CircuitState.Closed, null);
                return ValueTask.CompletedTask;
            },
        });

        builder.AddTimeout(TimeSpan.FromSeconds(options.Timeouts.FirstByteSeconds));
        return builder.Build();
    }

    /// <summary>What the breaker counts against a provider: server errors, timeouts, broken connections. Not 4xx (the caller's fault) and not 429 (a quota).</summary>
    internal static bool IsProviderFailure(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Exception: TimeoutRejectedException or HttpRequestException } => true,
        { Exception: OperationCanceledException } => false,
        { Exception: not null } => true,
        { Result: { } response } => (int)response.StatusCode >= 500,
        _ => false,
    };

    private static bool IsRetryable(Outcome<HttpResponseMessage> outcome, ProviderResilienceOptions r) => outcome switch
    {
        { Exception: HttpRequestException } => true,
        { Result: { } response } => response.StatusCode switch
        {
            HttpStatusCode.TooManyRequests or HttpStatusCode.InternalServerError or HttpStatusCode.BadGateway
                or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout
                => RetryAfter(response, r) != TimeSpan.MaxValue,
            _ => false,
        },
        _ => false,
    };

    /// <summary>Honours the provider's Retry-After; returns null for "use the exponential backoff", MaxValue for "too long to wait".</summary>
    private static TimeSpan? RetryAfter(HttpResponseMessage? response, ProviderResilienceOptions r)
    {
        var header = response?.Headers.RetryAfter;
        if (header is null)
        {
            return null;
        }

        var wait = header.Delta ?? (header.Date is { } date ? date - DateTimeOffset.UtcNow : null);
        if (wait is null)
        {
            return null;
        }

        if (wait.Value.TotalSeconds > r.MaxRetryAfterSeconds)
        {
            return TimeSpan.MaxValue;
        }

        return wait.Value < TimeSpan.Zero ? TimeSpan.Zero : wait.Value;
    }

    private static string Describe(Outcome<HttpResponseMessage> outcome) =>
        outcome.Exception is { } ex ? ex.GetType().Name : $"HTTP {(int?)outcome.Result?.StatusCode}";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Retrying provider {Provider} (attempt {Attempt}) after {Failure}")]
    private static partial void LogRetry(ILogger logger, string provider, int attempt, string failure);
}
