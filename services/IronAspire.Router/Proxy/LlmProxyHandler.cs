using System.Diagnostics;
using IronAspire.Contracts.Agents;
using IronAspire.Router.Auth;
using IronAspire.Router.Errors;
using IronAspire.Router.Governance;
using IronAspire.Router.Providers;
using IronAspire.Router.Proxy.Translation;
using IronAspire.Router.RateLimits;
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
    AgentRateLimiter rateLimiter,
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

        var check = await authenticator.AuthenticateAsync(AgentKeyReader.Read(context.Request));
        if (check.Identity is not { } agent)
        {
            await (check.IsUnavailable ? ApiError.KeyCheckUnavailable() : ApiError.Unauthorized()).WriteAsync(context, dialect);
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

        var routes = RoutesFor(model, operation, explicitProvider);
        // An agent's allow-list is checked first, so the answer does not reveal what the providers serve beyond it.
        if (!CallGovernance.MayUse(agent, model))
        {
            await ApiError.ModelNotAllowed(model).WriteAsync(context, dialect);
            return;
        }

        if (routes.Count == 0)
        {
            await ApiError.ModelNotFound(model).WriteAsync(context, dialect);
            return;
        }

        call.Provider = routes[0].Provider;
        if (AllRejecting(routes) is { } rejecting)
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

        // The bodies are built after the PII policy rewrote the request, so a translation carries the redacted text.
        var (bodies, translationRefusal) = UpstreamBodies(request, operation, routes);
        if (translationRefusal is not null)
        {
            await translationRefusal.WriteAsync(context, dialect);
            governance.Finish(call, translationRefusal.Code, translationRefusal.Status);
            return;
        }

        // Rate limits before the budget: a call refused for going too fast holds nothing.
        var (lease, rateRefusal) = operation.Billable ? await rateLimiter.AdmitAsync(call) : (null, null);
        if (rateRefusal is not null)
        {
            call.RateLimit?.WriteTo(context.Response.Headers);
            await rateRefusal.WriteAsync(context, dialect);
            governance.Finish(call, rateRefusal.Code, rateRefusal.Status);
            return;
        }

        try
        {
            call.ServingModel = routes[0].Model;
            var admission = await governance.AdmitAsync(call, bodies[0], context.RequestAborted);
            if (admission is not null)
            {
                await admission.WriteAsync(context, dialect);
                governance.Finish(call, admission.Code, admission.Status);
                return;
            }

            await ForwardAsync(context, call, routes, bodies);
            governance.Finish(call, call.ErrorType, call.StatusCode);
        }
        finally
        {
            // However the call ended (answered, failed, refused, client gone): its slot is freed and its tokens counted.
            if (lease is not null)
            {
                var usage = call.BillableUsage();
                await rateLimiter.EndAsync(lease, usage.InputTokens + usage.OutputTokens);
            }
        }

        metrics.Requests.Add(1,
            new KeyValuePair<string, object?>("provider", call.Provider?.Name),
            new KeyValuePair<string, object?>("model", model),
            new KeyValuePair<string, object?>("outcome", call.Succeeded ? "success" : call.ErrorType));
        if (call.TimeToFirstByteMs is { } ttfb)
        {
            metrics.TimeToFirstByte.Record(ttfb, new KeyValuePair<string, object?>("provider", call.Provider?.Name));
        }
    }

    private async Task ForwardAsync(HttpContext context, LlmCall call, List<UpstreamRoute> routes, List<byte[]> bodies)
    {
        LlmProvider? rejecting = null;
        string? lastFailure = null;
        for (var i = 0; i < routes.Count; i++)
        {
            var (provider, model, upstreamOperation) = routes[i];
            if (provider.IsRejecting)
            {
                rejecting ??= provider;
                lastFailure = $"the circuit of provider '{provider.Name}' is open";
                continue;
            }

            if (model != call.ServingModel)
            {
                // A fallback model: its worst case at its own price replaces the reservation made for the previous one.
                governance.Release(call);
                call.ServingModel = model;
                if (await governance.AdmitAsync(call, bodies[i], context.RequestAborted) is { } refusal)
                {
                    call.StatusCode = refusal.Status;
                    call.ErrorType = refusal.Code;
                    await refusal.WriteAsync(context, call.Operation.Dialect);
                    return;
                }
            }

            call.Provider = provider;
            call.UpstreamOperation = upstreamOperation;
            call.FailoverRequested = false;
            var canFailOver = i < routes.Count - 1;
            var transformer = new LlmForwardTransformer(call, provider, bodies[i], relay, canFailOver);
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

    /// <summary>The provider whose circuit reopens first when every route's circuit is open; null when one may be tried.</summary>
    private static LlmProvider? AllRejecting(List<UpstreamRoute> routes) =>
        routes.TrueForAll(static r => r.Provider.IsRejecting) ? routes.MinBy(r => r.Provider.Circuit.RetryAfterSeconds()).Provider : null;

    private static async Task WriteUnavailableAsync(HttpContext context, LlmCall call, LlmProvider? rejecting, string? failure)
    {
        var retryAfter = rejecting?.Circuit.RetryAfterSeconds() ?? 1;
        var unavailable = ApiError.ProviderUnavailable($"No provider can serve '{call.Request!.Model}' right now: {failure}.", retryAfter);
        call.StatusCode = 503;
        call.ErrorType = unavailable.Code;
        context.Response.Headers["x-request-id"] = call.RequestId;
        await unavailable.WriteAsync(context, call.Operation.Dialect);
    }

    /// <summary>
    /// The fallback chain: the providers of the requested model (configuration order, either API when the operation
    /// can be translated), then those of each of its fallback models (Router:ModelFallbacks).
    /// </summary>
    private List<UpstreamRoute> RoutesFor(string model, LlmOperation operation, bool explicitProvider)
    {
        var routes = new List<UpstreamRoute>(2);
        if (explicitProvider)
        {
            // /openai/v1/... and /anthropic/v1/... pick a provider of that API, even for a model no pattern names.
            var sameApi = providers.All.Where(p => p.Dialect == operation.Dialect).ToList();
            var named = sameApi.Where(p => p.Serves(model)).ToList();
            routes.AddRange((named.Count > 0 ? named : sameApi).Select(p => new UpstreamRoute(p, model, operation)));
            return routes;
        }

        providers.AddRoutes(routes, model, operation);
        foreach (var (pattern, fallbacks) in _options.ModelFallbacks)
        {
            if (ModelPattern.Matches(pattern, model))
            {
                foreach (var fallback in fallbacks)
                {
                    providers.AddRoutes(routes, fallback, operation);
                }

                break;
            }
        }

        return routes;
    }

    /// <summary>
    /// The body each route is sent: the client's own for its API and model, else a copy for the fallback model or a
    /// translation. Routes whose translation would have to change the request's meaning are left out of the chain;
    /// when none is left, the first refusal (a 400 naming the field) is the answer.
    /// </summary>
    private static (List<byte[]> Bodies, ApiError? Refusal) UpstreamBodies(LlmRequest request, LlmOperation operation, List<UpstreamRoute> routes)
    {
        var bodies = new List<byte[]>(routes.Count);
        var built = new Dictionary<(LlmOperation, string), (byte[]? Body, ApiError? Refusal)>();
        ApiError? firstRefusal = null;
        for (var i = 0; i < routes.Count; i++)
        {
            var (_, model, upstream) = routes[i];
            if (!built.TryGetValue((upstream, model), out var result))
            {
                result = upstream != operation ? DialectTranslation.RequestBody(request, upstream, model) : (request.ToUtf8Bytes(model), null);
                built[(upstream, model)] = result;
            }

            if (result.Body is null)
            {
                firstRefusal ??= result.Refusal;
                routes.RemoveAt(i--);
                continue;
            }

            bodies.Add(result.Body);
        }

        return (bodies, routes.Count == 0 ? firstRefusal : null);
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
