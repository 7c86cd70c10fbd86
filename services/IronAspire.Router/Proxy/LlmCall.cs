using IronAspire.Contracts.Agents;
using IronAspire.Router.Providers;

namespace IronAspire.Router.Proxy;

/// <summary>Everything the Router learns about one LLM call while it crosses the proxy; the source of its events and its bill.</summary>
public sealed class LlmCall(string requestId, AgentIdentity agent, LlmOperation operation, long startTimestamp)
{
    public string RequestId { get; } = requestId;
    public AgentIdentity Agent { get; } = agent;
    public LlmOperation Operation { get; } = operation;
    public long StartTimestamp { get; } = startTimestamp;

    public LlmRequest? Request { get; set; }
    public LlmProvider? Provider { get; set; }

    /// <summary>The model that serves the call: the requested one, or a fallback model of its chain (priced and recorded as such).</summary>
    public string? ServingModel { get; set; }

    /// <summary>The operation sent to the provider: the client's own, or its translation for a provider of the other API.</summary>
    public LlmOperation UpstreamOperation { get; set; } = operation;

    /// <summary>True when the provider speaks the other API, so the request and answer are translated (gateway mode).</summary>
    public bool Translated => UpstreamOperation != Operation;

    /// <summary>Upper bound of input tokens used for the budget reservation.</summary>
    public long InputTokenBound { get; set; }

    public int StatusCode { get; set; }
    public TokenUsage? Usage { get; set; }
    public long StreamedTextBytes { get; set; }
    public double? TimeToFirstByteMs { get; set; }

    /// <summary>Set when the call failed: the error code the client saw (or would have seen).</summary>
    public string? ErrorType { get; set; }

    /// <summary>The client went away before the call was over (unless it had already failed otherwise).</summary>
    public void MarkClientDisconnected() => ErrorType ??= "client_disconnected";

    /// <summary>The provider answered with a failure that another provider in the chain may serve instead.</summary>
    public bool FailoverRequested { get; set; }

    /// <summary>The budget reservation holding this call's worst-case cost, settled when the call is over.</summary>
    public string? ReservationId { get; set; }

    public DateTimeOffset? ReservationExpiresAt { get; set; }

    /// <summary>PII found in the request, per entity type (null when none), and what the policy did with it.</summary>
    public IReadOnlyDictionary<string, int>? RequestPiiCounts { get; set; }

    public string? RequestPiiAction { get; set; }

    /// <summary>When the response was complete (the latency of the call as the client saw it).</summary>
    public long? EndTimestamp { get; set; }

    /// <summary>Response-side PII redaction for this agent, or null when its policy leaves responses alone.</summary>
    public IResponseRedaction? ResponseRedaction { get; set; }

    /// <summary>
    /// What the agent's budget had left once this call's worst case was reserved, in USD: the
    /// x-ironaspire-budget-remaining header (a floor — the call usually costs less than its reservation).
    /// </summary>
    public decimal? BudgetRemainingUsd { get; set; }

    /// <summary>Where the agent stands against its rate limits (the x-ratelimit-* headers); null when it has none.</summary>
    public RateLimits.RateLimitState? RateLimit { get; set; }

    public bool Succeeded => ErrorType is null && StatusCode is >= 200 and < 300;

    /// <summary>
    /// The usage to bill: what the provider reported, or — when a stream ended early without a usage figure —
    /// the input bound and the generated text counted at three bytes a token (more than any tokenizer's average,
    /// so an interrupted call is never billed less than it cost).
    /// </summary>
    public TokenUsage BillableUsage()
    {
        if (Usage is { } usage)
        {
            return usage;
        }

        if (StreamedTextBytes == 0 && !Succeeded)
        {
            return TokenUsage.None;
        }

        return new TokenUsage(InputTokenBound, 0, (StreamedTextBytes + 2) / 3);
    }
}
