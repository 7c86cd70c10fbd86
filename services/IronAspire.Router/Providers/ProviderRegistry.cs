using System.Net;
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

    /// <summary>Providers that can serve <paramref name="model"/> in <paramref name="dialect"/>, in fallback order.</summary>
    public List<LlmProvider> Candidates(string model, ApiDialect dialect)
    {
        var result = new List<LlmProvider>(2);
        foreach (var provider in _providers)
        {
            if (provider.Dialect == dialect && provider.Serves(model))
            {
                result.Add(provider);
            }
        }

        return result;
    }

    /// <summary>Every model pattern an agent could use, for GET /v1/models.</summary>
    public IEnumerable<(string Model, LlmProvider Provider)> ModelPatterns() =>
        _providers.SelectMany(p => p.Models.Select(m => (m, p)));

    /// <summary>
    /// With no provider configured, the MockProvider serves everything, OpenAI and Anthropic alike — the demo and
    /// test set-up. Its per-request controls (<c>x-mock-mode</c>, <c>x-mock-fault</c>, ...) are forwarded to it. Its address comes from service discovery configuration (services:mock-provider:http:0).
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
            new() { Name = "mock-openai", Kind = ProviderKind.OpenAICompatible, BaseUrl = url, Models = ["gpt-*", "o1*", "o3*", "o4*", "text-embedding-*", "chatgpt-*"], ForwardHeaders = [MockControlHeaders] },
            new() { Name = "mock-anthropic", Kind = ProviderKind.Anthropic, BaseUrl = url, Models = ["claude-*"], ForwardHeaders = [MockControlHeaders] },
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
