using System.Net;
using IronAspire.Router.Proxy;
using IronAspire.Router.Proxy.Translation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace IronAspire.Router.Providers;

/// <summary>
/// The configured providers, in configuration order. For a model, the providers that serve it in that order are
/// its fallback chain: the first whose circuit is closed serves the call.
/// </summary>
public sealed class ProviderRegistry : IDisposable
{
    /// <summary>The MockProvider's per-request control headers (see IronAspire.MockProvider RequestControls).</summary>
    public const string MockControlHeaders = "x-mock-*";

    private readonly List<LlmProvider> _providers = [];

    internal ProviderRegistry(IOptions<RouterOptions> options, IConfiguration configuration, ProviderPipelineFactory pipelines, TimeProvider time)
    {
        var routerOptions = options.Value;
        var configured = routerOptions.Providers.Count > 0
            ? routerOptions.Providers
            : MockProviderDefaults(configuration);

        foreach (var provider in configured)
        {
            var circuit = new ProviderCircuit(provider.Name, time);
            var handler = new ProviderResilienceHandler(pipelines.Create(circuit))
            {
                InnerHandler = new SocketsHttpHandler
                {
                    UseProxy = false,
                    AllowAutoRedirect = false,
                    AutomaticDecompression = DecompressionMethods.None,
                    UseCookies = false,
                    EnableMultipleHttp2Connections = true,
                    ConnectTimeout = TimeSpan.FromSeconds(routerOptions.Timeouts.ConnectSeconds),
                    PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                    ActivityHeadersPropagator = null,
                },
            };
            _providers.Add(new LlmProvider(provider, new HttpMessageInvoker(handler, disposeHandler: true), circuit));
        }
    }

    public IReadOnlyList<LlmProvider> All => _providers;

    public LlmProvider? Find(string name) => _providers.Find(p => p.Name == name);

    /// <summary>
    /// Adds the providers that serve <paramref name="model"/>, in configuration order, as routes of <paramref name="operation"/>:
    /// a provider of the other API is included when the operation can be translated for it (gateway mode).
    /// </summary>
    public void AddRoutes(List<UpstreamRoute> routes, string model, LlmOperation operation)
    {
        foreach (var provider in _providers)
        {
            if (provider.Serves(model) && DialectTranslation.UpstreamOperation(operation, provider.Dialect) is { } upstream)
            {
                routes.Add(new UpstreamRoute(provider, model, upstream));
            }
        }
    }

    /// <summary>Every model pattern an agent could use, for GET /v1/models.</summary>
    public IEnumerable<(string Model, LlmProvider Provider)> ModelPatterns() =>
        _providers.SelectMany(p => p.ServedPatterns.Select(m => (m, p)));

    /// <summary>
    /// With no provider configured, the MockProvider serves everything as two providers — the demo and test set-up:
    /// its Anthropic API serves <c>claude-*</c> and its OpenAI API every other model, so an OpenAI client calling a
    /// Claude model (and an Anthropic client calling a GPT model) is translated. Its per-request controls
    /// (<c>x-mock-mode</c>, <c>x-mock-fault</c>, ...) are forwarded to it. Its address comes from service discovery
    /// configuration (services:mock-provider:http:0).
    /// </summary>
    private static List<ProviderOptions> MockProviderDefaults(IConfiguration configuration)
    {
        var url = configuration["services:mock-provider:http:0"];
        if (string.IsNullOrEmpty(url))
        {
            return [];
        }

        return
        [
            new() { Name = "mock-anthropic", Kind = ProviderKind.Anthropic, BaseUrl = url, Models = ["claude-*"], ForwardHeaders = [MockControlHeaders] },
            new() { Name = "mock-openai", Kind = ProviderKind.OpenAICompatible, BaseUrl = url, Models = ["*", "!claude-*"], ForwardHeaders = [MockControlHeaders] },
        ];
    }

    public void Dispose()
    {
        foreach (var provider in _providers)
        {
            provider.Invoker.Dispose();
        }
    }
}
