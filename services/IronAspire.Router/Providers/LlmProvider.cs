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

    /// <summary>True while the breaker rejects calls without trying the provider.</summary>
    public bool IsRejecting => circuit.IsRejecting;
}
