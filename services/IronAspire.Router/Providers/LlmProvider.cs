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

    public bool Serves(string model) => ModelPattern.MatchesAny(options.Models, model);

    /// <summary>Whether this provider takes a client header beyond the Router's allow-list (<see cref="ProviderOptions.ForwardHeaders"/>).</summary>
    public bool ForwardsHeader(string name) => options.ForwardHeaders.Count > 0 && ModelPattern.MatchesAny(options.ForwardHeaders, name.ToLowerInvariant());

    /// <summary>True while the breaker rejects calls without trying the provider.</summary>
    public bool IsRejecting => circuit.IsRejecting;
}
