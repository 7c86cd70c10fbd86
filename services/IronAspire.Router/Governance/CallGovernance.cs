using System.Globalization;
using IronAspire.Contracts.Agents;
using IronAspire.Budget.Budgets;
using IronAspire.Contracts.Budget;
using IronAspire.Pii.Policies;
using IronAspire.Pii.Redaction;
using IronAspire.Router.Errors;
using IronAspire.Router.Providers;
using IronAspire.Router.Proxy;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace IronAspire.Router.Governance;

/// <summary>
/// The governance steps around a forwarded call: the checks that can refuse it before any provider sees it
/// (the budget reservation of its worst-case cost) and what happens once it is over (settling the bill off the
/// client's time, and its events).
/// </summary>
public sealed partial class CallGovernance(
    BudgetStore budgetStore,
    BudgetClientFactory budget,
    BudgetSettlement settlement,
    PiiPolicyCache piiPolicies,
    RouterEvents events,
    IOptions<RouterOptions> options,
    TimeProvider time,
    ILogger<CallGovernance> logger)
{
    private readonly RouterOptions _options = options.Value;

    /// <summary>Whether the agent's allow-list (glob patterns from its key record) admits the model; no list admits every model.</summary>
    public static bool MayUse(AgentIdentity agent, string model) =>
        agent.AllowedModels is not { } allowed || ModelPattern.MatchesAny(allowed, model);

    /// <summary>
    /// Applies the agent's request-side PII policy to every message text (redacting in place), refuses the call when
    /// a blocked type is present — before any provider sees it — and arms the response-side policy.
    /// </summary>
    public async ValueTask<ApiError?> ApplyPiiPolicyAsync(LlmCall call)
    {
        var policy = await piiPolicies.GetAsync(call.Agent.AgentId);
        if (!policy.Response.IsPassThrough)
        {
            call.ResponseRedaction = new PiiResponseRedaction(policy.Response);
        }

        if (policy.Request.IsPassThrough)
        {
            return null;
        }

        var tally = new PiiTally();
        JsonBodyRedaction.RewriteRequestTexts(call.Request!.Root, text => policy.Request.Redact(text, tally));
        call.RequestPiiCounts = tally.Total > 0 ? new Dictionary<string, int>(tally.Counts) : null;
        call.RequestPiiAction = tally.Action.ToString().ToLowerInvariant();
        if (tally.Blocked)
        {
            // Names the types, never the values.
            return new ApiError(400, "pii_blocked",
                $"The request contains personal data this agent may not send: {string.Join(", ", tally.BlockedTypes.Order())}.");
        }

        return null;
    }

    /// <summary>Reserves the call's worst-case cost; returns the refusal to send to the client, or null when the call may go ahead.</summary>
    public async ValueTask<ApiError?> AdmitAsync(LlmCall call, byte[] upstreamBody, CancellationToken cancellationToken)
    {
        call.InputTokenBound = InputTokenBound.For(call.Request!, upstreamBody.Length);
        if (!_options.Budget.Enabled || !call.Operation.Billable)
        {
            return null;
        }

        var request = new ReservationRequest(
            call.Agent.AgentId, call.Agent.ProjectId, call.ServingModel ?? call.Request!.Model, call.InputTokenBound, call.Request!.MaxOutputTokens,
            // Longer than any call can last, so a live call's reservation never expires under it.
            TtlSeconds: (int)_options.Timeouts.MaxCallSeconds + 120);
        // Reserved here, against Redis, with the Budget service's own scripts: no HTTP round trip on the call's path.
        ReserveOutcome local;
        try
        {
            local = await budgetStore.ReserveAsync(request);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Any failure of the store (a torn connection throws InvalidOperationException, not a RedisException) is
            // an unavailable budget: fail closed, never a 500 and never an unbudgeted call.
            local = new ReserveOutcome.Unavailable(ex.Message, Stalled: ex is TimeoutException or RedisTimeoutException or OperationCanceledException);
        }

        switch (local)
        {
            case ReserveOutcome.Reserved reserved:
                return Hold(call, reserved.Reservation);
            case ReserveOutcome.Refused refused:
                return new ApiError(402, "budget_exceeded", refused.Message);
            case ReserveOutcome.NoBudget none:
                return new ApiError(402, "budget_exceeded", none.Message);
            case ReserveOutcome.UnknownPrice unknown:
                return new ApiError(400, "unknown_model_price", unknown.Message, "model");
        }

        if (local is ReserveOutcome.Unavailable { Stalled: true } stalled)
        {
            // Redis did not answer in time: the Budget service shares it and would stall as well, so refuse at once.
            LogBudgetUnavailable(logger, stalled.Reason);
            return new ApiError(503, "budget_unavailable", "The call cannot be budgeted right now: " + stalled.Reason, RetryAfterSeconds: 1);
        }

        // Redis is down or being rebuilt from the ledger: the Budget service decides (it rebuilds, and applies its
        // fail-open or fail-closed setting). The client names the reservation itself, so its retries cannot hold twice.
        // Bounded, so a call fails fast instead of waiting out the HTTP client's retries.
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(TimeSpan.FromSeconds(_options.Budget.FallbackTimeoutSeconds));
        BudgetReserveResult fallback;
        try
        {
            fallback = await budget.Create().ReserveAsync(request, bounded.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            fallback = new BudgetReserveResult.Unavailable($"the Budget service did not answer within {_options.Budget.FallbackTimeoutSeconds} s");
        }

        switch (fallback)
        {
            case BudgetReserveResult.Reserved reserved:
                return Hold(call, reserved.Reservation);
            case BudgetReserveResult.Refused refused:
                return new ApiError(402, "budget_exceeded", refused.Message);
            case BudgetReserveResult.Invalid invalid:
                return new ApiError(400, invalid.Code, invalid.Message, "model");
            case BudgetReserveResult.Unavailable unavailable:
                // Fail closed: a call that cannot be budgeted is not made.
                LogBudgetUnavailable(logger, unavailable.Message);
                return new ApiError(503, "budget_unavailable", "The call cannot be budgeted right now: " + unavailable.Message, RetryAfterSeconds: 1);
            default:
                throw new InvalidOperationException("Unexpected reservation result.");
        }
    }

    /// <summary>
    /// Gives back the call's reservation before it is made again for another model (a fallback model is priced at its own
    /// price); settled in the background like any release.
    /// </summary>
    public void Release(LlmCall call)
    {
        if (call.ReservationId is { } reservationId)
        {
            settlement.Enqueue(new Settlement(reservationId, call.ServingModel ?? call.Request!.Model, null, call.ReservationExpiresAt ?? time.GetUtcNow(), static _ => { }));
            call.ReservationId = null;
            call.ReservationExpiresAt = null;
        }
    }

    private static ApiError? Hold(LlmCall call, ReservationCreated reservation)
    {
        call.ReservationId = reservation.ReservationId;
        call.ReservationExpiresAt = reservation.ExpiresAt;
        call.BudgetRemainingUsd = reservation.RemainingUsd;
        return null;
    }

    /// <summary>
    /// Settles the reservation (commit with usage, or release) in the background, then publishes the call's events
    /// with the cost the budget store computed from the usage.
    /// </summary>
    public void Finish(LlmCall call, string? errorType, int statusCode)
    {
        call.ErrorType ??= errorType;
        call.StatusCode = statusCode;
        call.EndTimestamp = time.GetTimestamp();
        if (call.ReservationId is not { } reservationId)
        {
            events.CallFinished(call, 0m);
            return;
        }

        var usage = call.BillableUsage();
        settlement.Enqueue(new Settlement(
            reservationId,
            call.ServingModel ?? call.Request!.Model,
            usage == TokenUsage.None ? null : new CommitRequest(usage.InputTokens, usage.OutputTokens, usage.CachedInputTokens, usage.CacheWriteInputTokens),
            call.ReservationExpiresAt ?? time.GetUtcNow(),
            cost => events.CallFinished(call, cost)));
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The budget service is unreachable; refusing calls: {Reason}")]
    private static partial void LogBudgetUnavailable(ILogger logger, string reason);
}
