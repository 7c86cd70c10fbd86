using System.Collections.Frozen;
using System.Globalization;
using System.Net.Http.Headers;
using IronAspire.Router.Errors;
using IronAspire.Router.Providers;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace IronAspire.Router.Proxy;

/// <summary>
/// The YARP transform for one call to one provider: swaps the agent's key for the provider's, sends the (possibly
/// rewritten) body, and on the way back relays the response itself so usage can be read and text redacted —
/// YARP's own body copy is skipped (TransformResponseAsync returns false after the relay).
/// </summary>
internal sealed class LlmForwardTransformer(
    LlmCall call,
    LlmProvider provider,
    byte[] body,
    ResponseRelay relay,
    bool canFailOver) : HttpTransformer
{
    /// <summary>
    /// The client headers a provider gets (docs/router.md): API versions and beta features, and content negotiation.
    /// Everything else stays behind — the agent's key, cookies, organisation and project selectors
    /// (<c>OpenAI-Organization</c>, <c>OpenAI-Project</c>), the client's own control headers. Accept-Encoding is not
    /// among them because the relay parses the body, so it must arrive uncompressed.
    /// </summary>
    public static readonly FrozenSet<string> ForwardedHeaders = FrozenSet.Create(StringComparer.OrdinalIgnoreCase,
        "anthropic-version", "anthropic-beta", "openai-beta", "accept", "accept-language");

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);

        // The client's query string is not forwarded: the call goes out under the operator's key, so nothing but the
        // body and the allow-listed headers may shape it. A provider's own query (Azure's api-version) is its configuration.
        proxyRequest.RequestUri = provider.UpstreamUri(call.UpstreamOperation, call.ServingModel ?? call.Request!.Model);

        var headers = proxyRequest.Headers;
        foreach (var name in headers.Select(h => h.Key).Where(name => !ForwardedHeaders.Contains(name) && !provider.ForwardsHeader(name)).ToList())
        {
            headers.Remove(name);
        }

        headers.TryAddWithoutValidation("x-request-id", call.RequestId);

        var key = provider.Options.ApiKey;
        if (provider.Kind == ProviderKind.Anthropic)
        {
            if (!string.IsNullOrEmpty(key))
            {
                headers.TryAddWithoutValidation("x-api-key", key);
            }

            if (!headers.Contains("anthropic-version"))
            {
                headers.TryAddWithoutValidation("anthropic-version", provider.Options.AnthropicVersion);
            }
        }
        else if (provider.Kind == ProviderKind.AzureOpenAI)
        {
            if (!string.IsNullOrEmpty(key))
            {
                headers.TryAddWithoutValidation("api-key", key);
            }
        }
        else if (!string.IsNullOrEmpty(key))
        {
            headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        // YARP does not let a transform replace its request content; the provider's handler swaps it for this
        // byte array, which (unlike a stream copy) can be sent again by the retry strategy.
        proxyRequest.Options.Set(ProviderResilienceHandler.BodyOption, body);
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        if (proxyResponse is null)
        {
            return false;
        }

        var status = (int)proxyResponse.StatusCode;
        call.StatusCode = status;
        var credentialsRefused = status is 401 or 403;
        if (canFailOver && (status == 429 || status >= 500 || credentialsRefused))
        {
            // Another provider in the chain gets the call; nothing has been written to the client.
            call.FailoverRequested = true;
            return false;
        }

        if (credentialsRefused)
        {
            var error = ApiError.ProviderRejectedCredentials(provider.Name, status);
            call.StatusCode = error.Status;
            call.ErrorType = error.Code;
            httpContext.Response.Headers["x-request-id"] = call.RequestId;
            httpContext.Response.Headers["x-ironaspire-provider"] = provider.Name;
            await error.WriteAsync(httpContext, call.Operation.Dialect);
            return false;
        }

        await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
        var response = httpContext.Response;
        response.Headers["x-request-id"] = call.RequestId;
        response.Headers["x-ironaspire-provider"] = provider.Name;
        response.Headers["x-ironaspire-model"] = call.ServingModel;
        // The agent's own limits, not the provider's (which count IronAspire's whole account).
        call.RateLimit?.WriteTo(response.Headers);

        await relay.RelayAsync(httpContext, proxyResponse, call, cancellationToken);
        return false;
    }
}
