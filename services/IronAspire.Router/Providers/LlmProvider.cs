using IronAspire.Router.Proxy;

namespace IronAspire.Router.Providers;

/// <summary>
/// A configured upstream provider at run time: its settings, the HTTP invoker YARP forwards through
/// (with this provider's own retries, timeout and circuit breaker inside), and its circuit state.
/// </summary>
public sealed class LlmProvider(ProviderOptions options, HttpMessageInvoker invoker, ProviderCircuit circuit)
{
    public string Name => options.Name;
    public ProviderKind Kind => options.Kind;
    public ApiDialect Dialect => options.Kind.Dialect();
    public string BaseUrl { get; } = options.BaseUrl.TrimEnd('/');
    public IReadOnlyList<string> Models => options.Models;
    public ProviderOptions Options => options;
    public HttpMessageInvoker Invoker => invoker;
    public ProviderCircuit Circuit => circuit;

    /// <summary>Patterns starting with <c>!</c> exclude: <c>["*", "!claude-*"]</c> is every model but Claude's.</summary>
    private readonly string[] _included = options.Models.Where(m => !m.StartsWith('!')).ToArray();
    private readonly string[] _excluded = options.Models.Where(m => m.StartsWith('!')).Select(m => m[1..]).ToArray();

    /// <summary>The patterns of the models it serves (exclusions left out), as GET /v1/models lists them.</summary>
    public IReadOnlyList<string> ServedPatterns => _included;

    /// <summary>
    /// Where <paramref name="operation"/> for <paramref name="model"/> goes: the operation's path under the base URL, or
    /// for Azure OpenAI the model's deployment URL with the configured api-version (Azure's Responses API is not
    /// deployment-scoped). Never the client's query string (docs/router.md).
    /// </summary>
    public Uri UpstreamUri(LlmOperation operation, string model)
    {
        if (Kind != ProviderKind.AzureOpenAI)
        {
            return new Uri(BaseUrl + operation.UpstreamPath);
        }

        var version = "api-version=" + Uri.EscapeDataString(options.ApiVersion);
        if (operation == LlmOperation.Responses)
        {
            return new Uri($"{BaseUrl}/openai/responses?{version}");
        }

        var deployment = options.Deployments.GetValueOrDefault(model) ?? model;
        var path = operation.UpstreamPath["/v1".Length..];
        return new Uri($"{BaseUrl}/openai/deployments/{Uri.EscapeDataString(deployment)}{path}?{version}");
    }

    public bool Serves(string model) => ModelPattern.MatchesAny(_included, model) && !ModelPattern.MatchesAny(_excluded, model);

    /// <summary>Whether this provider takes a client header beyond the Router's allow-list (<see cref="ProviderOptions.ForwardHeaders"/>).</summary>
    public bool ForwardsHeader(string name) => options.ForwardHeaders.Count > 0 && ModelPattern.MatchesAny(options.ForwardHeaders, name.ToLowerInvariant());

    /// <summary>True while the breaker rejects calls without trying the provider.</summary>
    public bool IsRejecting => circuit.IsRejecting;
}
