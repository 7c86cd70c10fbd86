using System.Diagnostics;
using IronAspire.Contracts.Agents;
using IronAspire.Router.Auth;
using IronAspire.Router.Errors;
using IronAspire.Router.Governance;
using IronAspire.Router.Providers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using Polly.Timeout;
using Yarp.ReverseProxy.Forwarder;

namespace IronAspire.Router.Proxy;

/// <summary>
/// The request path of ARCHITECTURE.md for one LLM call: authenticate, parse, pick the providers, apply the request
/// PII policy, reserve the worst-case cost, forward through the first provider whose circuit lets it (YARP), relay
/// the response, then settle the bill and publish the call's events off the client's time.
/// </summary>
internal sealed partial class LlmProxyHandler(
    ProviderRegistry providers,
    AgentKeyAuthenticator authenticator,
    IHttpForwarder forwarder,
    ResponseRelay relay,
    CallGovernance governance,
    IOptions<RouterOptions> options,
    RouterMetrics metrics,
    TimeProvider time,
    ILogger<LlmProxyHandler> logger)
{
    private readonly RouterOptions _options = options.Value;
    private readonly ForwarderRequestConfig _requestConfig = new()
    {
        ActivityTimeout = TimeSpan.FromSeconds(options.Value.Timeouts.MaxCallSeconds),
        AllowResponseBuffering = false,
    };

    public async Task HandleAsync(HttpContext context, LlmOperation operation, bool explicitProvider)
    {
        var started = time.GetTimestamp();
        var dialect = operation.Dialect;
        var requestId = context.TraceIdentifier;

        var agent = await authenticator.AuthenticateAsync(AgentKeyReader.Read(context.Request));
        if (agent is null)
        {
            await ApiError.Unauthorized().WriteAsync(context, dialect);
            return;
        }

        Activity.Current?.SetTag("ironaspire.agent_id", agent.AgentId);
        var call = new LlmCall(requestId, agent, operation, started);

        var (body, bodyError) = await RequestBodyReader.ReadAsync(context.Request, _options.MaxRequestBodyBytes, context.RequestAborted);
        if (bodyError is not null)
        {
            await bodyError.WriteAsync(context, dialect);
            return;
        }

        var (request, parseError) = LlmRequest.Parse(body);
        if (parseError is not null)
        {
            await parseError.WriteAsync(context, dialect);
            return;
        }

        call.Request = request!;
        var model = request!.Model;
        Activity.Current?.SetTag("gen_ai.request.model", model);

        var capError = request.EnforceOutputCap(operation, OutputCapFor(model));
        if (capError is not null)
        {
            await capError.WriteAsync(context, dialect);
            return;
        }

        if (operation == LlmOperation.ChatCompletions)
        {
            request.EnsureStreamUsage();
        }

        var candidates = CandidatesFor(model, dialect, explicitProvider);
        // An agent's allow-list is checked first, so the answer does not reveal what the providers serve beyond it.
        if (!CallGovernance.MayUse(agent, model))
        {
            await ApiError.ModelNotAllowed(model).WriteAsync(context, dialect);
            return;
        }

        if (candidates.Count == 0)
        {
            await ApiError.ModelNotFound(model).WriteAsync(context, dialect);
            return;
        }

        call.Provider = candidates[0];
        if (AllRejecting(candidates) is { } rejecting)
        {
            // Fail fast: no provider will take the call, so nothing is reserved, scanned or sent.
            await WriteUnavailableAsync(context, call, rejecting, $"the circuit of provider '{rejecting.Name}' is open");
            governance.Finish(call, call.ErrorType, call.StatusCode);
            return;
        }

        var piiRefusal = await governance.ApplyPiiPolicyAsync(call);
        if (piiRefusal is not null)
        {
            await piiRefusal.WriteAsync(context, dialect);
            governance.Finish(call, piiRefusal.Code, piiRefusal.Status);
            return;
        }

        var upstreamBody = request.ToUtf8Bytes();
        var admission = await governance.AdmitAsync(call, upstreamBody, context.RequestAborted);
        if (admission is not null)
        {
            await admission.WriteAsync(context, dialect);
            governance.Finish(call, admission.Code, admission.Status);
            return;
        }

        await ForwardAsync(context, call, candidates, upstreamBody);
        governance.Finish(call, call.ErrorType, call.StatusCode);
        metrics.Requests.Add(1,
            new KeyValuePair<string, object?>("provider", call.Provider?.Name),
            new KeyValuePair<string, object?>("model", model),
            new KeyValuePair<string, object?>("outcome", call.Succeeded ? "success" : call.ErrorType));
        if (call.TimeToFirstByteMs is { } ttfb)
        {
            metrics.TimeToFirstByte.Record(ttfb, new KeyValuePair<string, object?>("provider", call.Provider?.Name));
        }
    }

    private async Task ForwardAsync(HttpContext context, LlmCall call, List<LlmProvider> candidates, byte[] body)
    {
        LlmProvider? rejecting = null;
        string? lastFailure = null;
        for (var i = 0; i < candidates.Count; i++)
        {
            var provider = candidates[i];
            if (provider.IsRejecting)
            {
                rejecting ??= provider;
                lastFailure = $"the circuit of provider '{provider.Name}' is open";
                continue;
            }

            call.Provider = provider;
            call.FailoverRequested = false;
            var canFailOver = i < candidates.Count - 1;
            var transformer = new LlmForwardTransformer(call, provider, body, relay, canFailOver);
            var error = await forwarder.SendAsync(context, provider.BaseUrl, provider.Invoker, _requestConfig, transformer);

            if (error == ForwarderError.None && !call.FailoverRequested)
            {
                if (call.ErrorType == ApiError.ProviderAuthErrorCode)
                {
                    LogCredentialsRefused(logger, provider.Name, call.RequestId);
                }

                return;
            }

            if (context.Response.HasStarted)
            {
                // Bytes reached the client: nothing can be retried, the relay already ended the response.
                call.ErrorType ??= "upstream_error";
                return;
            }

            var exception = context.Features.Get<IForwarderErrorFeature>()?.Exception;
            if (call.FailoverRequested)
            {
                lastFailure = $"provider '{provider.Name}' answered HTTP {call.StatusCode}";
            }
            else if (exception is BrokenCircuitException)
            {
                rejecting ??= provider;
                lastFailure = $"the circuit of provider '{provider.Name}' is open";
            }
            else if (context.RequestAborted.IsCancellationRequested)
            {
                call.MarkClientDisconnected();
                return;
            }
            else
            {
                lastFailure = exception is TimeoutRejectedException
                    ? $"provider '{provider.Name}' did not answer in time"
                    : $"provider '{provider.Name}' could not be reached ({error})";
            }

            LogFailover(logger, provider.Name, call.RequestId, lastFailure);
            context.Response.Clear();
        }

        await WriteUnavailableAsync(context, call, rejecting, lastFailure);
    }

    /// <summary>The provider whose circuit reopens first when every candidate's circuit is open; null when one may be tried.</summary>
    private static LlmProvider? AllRejecting(List<LlmProvider> candidates) =>
        candidates.TrueForAll(static p => p.IsRejecting) ? candidates.MinBy(p => p.Circuit.RetryAfterSeconds()) : null;

    private static async Task WriteUnavailableAsync(HttpContext context, LlmCall call, LlmProvider? rejecting, string? failure)
    {
        var retryAfter = rejecting?.Circuit.RetryAfterSeconds() ?? 1;
        var unavailable = ApiError.ProviderUnavailable($"No provider can serve '{call.Request!.Model}' right now: {failure}.", retryAfter);
        call.StatusCode = 503;
        call.ErrorType = unavailable.Code;
        context.Response.Headers["x-request-id"] = call.RequestId;
        await unavailable.WriteAsync(context, call.Operation.Dialect);
    }

    private List<LlmProvider> CandidatesFor(string model, ApiDialect dialect, bool explicitProvider)
    {
        var candidates = providers.Candidates(model, dialect);
        if (candidates.Count == 0 && explicitProvider)
        {
            // /openai/v1/... and /anthropic/v1/... pick the provider even for a model no pattern names.
            candidates = providers.All.Where(p => p.Dialect == dialect).ToList();
        }

        return candidates;
    }

    private int OutputCapFor(string model)
    {
        foreach (var (pattern, cap) in _options.MaxOutputTokensByModel)
        {
            if (ModelPattern.Matches(pattern, model))
            {
                return cap;
            }
        }

        return _options.DefaultMaxOutputTokens;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Provider {Provider} refused IronAspire's credentials for request {RequestId}; check its key")]
    private static partial void LogCredentialsRefused(ILogger logger, string provider, string requestId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Provider {Provider} failed request {RequestId}: {Failure}; trying the next provider")]
    private static partial void LogFailover(ILogger logger, string provider, string requestId, string failure);
}
