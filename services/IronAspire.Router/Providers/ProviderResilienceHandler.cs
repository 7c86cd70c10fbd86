using Polly;

namespace IronAspire.Router.Providers;

/// <summary>
/// Runs each upstream send through the provider's own pipeline (retry, circuit breaker, time-to-first-byte timeout).
/// It sits inside the invoker YARP forwards with, so everything here happens before any byte reaches the client:
/// a retry can never follow a started stream. The request content is a byte array, so it can be sent again.
/// </summary>
internal sealed class ProviderResilienceHandler(ResiliencePipeline<HttpResponseMessage> pipeline) : DelegatingHandler
{
    /// <summary>The body to send, set by the forwarding transform; replaces YARP's one-shot stream content.</summary>
    public static readonly HttpRequestOptionsKey<byte[]> BodyOption = new("IronAspire.Body");

    private static readonly System.Net.Http.Headers.MediaTypeHeaderValue JsonContentType = new("application/json");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Options.TryGetValue(BodyOption, out var body))
        {
            request.Content = new ByteArrayContent(body) { Headers = { ContentType = JsonContentType } };
        }

        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            var outcome = await pipeline.ExecuteOutcomeAsync(
                static async (ctx, state) =>
                {
                    try
                    {
                        var response = await state.handler.SendUpstreamAsync(state.request, ctx.CancellationToken).ConfigureAwait(false);
                        return Outcome.FromResult(response);
                    }
                    catch (Exception ex)
                    {
                        return Outcome.FromException<HttpResponseMessage>(ex);
                    }
                },
                context,
                (handler: this, request)).ConfigureAwait(false);

            outcome.ThrowIfException();
            return outcome.Result!;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private Task<HttpResponseMessage> SendUpstreamAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        base.SendAsync(request, cancellationToken);
}
