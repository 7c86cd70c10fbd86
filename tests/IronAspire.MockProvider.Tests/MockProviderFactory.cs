using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Anthropic;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenAI;

namespace IronAspire.MockProvider.Tests;

/// <summary>
/// The MockProvider in-process (TestServer), with the official OpenAI and Anthropic SDKs pointed at it, plus raw HTTP
/// and admin helpers. Each instance is its own provider: no state is shared between instances.
/// </summary>
public class MockProviderFactory : WebApplicationFactory<Program>
{
    private (string Key, string? Value)[] _settings = [];

    /// <summary>A simulator with configuration settings (e.g. <c>MockProvider:Mode</c>) of its own.</summary>
    public static MockProviderFactory WithSettings(params (string Key, string? Value)[] settings) => new() { _settings = settings };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }

    /// <summary>Where the simulator listens: the in-memory TestServer, or a loopback port (see <see cref="SocketMockProviderFactory"/>).</summary>
    public Uri BaseAddress => SocketAddress ?? Server.BaseAddress;

    protected Uri? SocketAddress { get; set; }

    /// <summary>An HttpClient to the simulator with the given default headers (e.g. x-mock-mode).</summary>
    public HttpClient Http(params (string Name, string Value)[] headers)
    {
        var client = SocketAddress is null ? CreateClient() : new HttpClient { BaseAddress = SocketAddress };
        foreach (var (name, value) in headers)
        {
            client.DefaultRequestHeaders.TryAddWithoutValidation(name, value);
        }

        return client;
    }

    public OpenAIClient OpenAI(params (string Name, string Value)[] headers) =>
        new(new ApiKeyCredential("sk-test-openai"), new OpenAIClientOptions
        {
            Endpoint = new Uri(BaseAddress, "/v1"),
            Transport = new HttpClientPipelineTransport(Http(headers)),
            RetryPolicy = new ClientRetryPolicy(0),
        });

    public AnthropicClient Anthropic(params (string Name, string Value)[] headers) => new()
    {
        HttpClient = Http(headers),
        BaseUrl = BaseAddress.ToString().TrimEnd('/'),
        ApiKey = "sk-ant-test",
        MaxRetries = 0,
        // The SDK checks every field of our responses against Anthropic's schema.
        ResponseValidation = true,
    };

    public async Task<HttpResponseMessage> PostAsync(string path, string json, params (string Name, string Value)[] headers)
    {
        using var client = Http(headers);
        return await client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
    }

    public async Task<JsonObject> StatsAsync()
    {
        using var client = Http();
        return (await client.GetFromJsonAsync<JsonObject>("/admin/stats"))!;
    }

    /// <summary>Requests that reached <paramref name="endpoint"/> for <paramref name="model"/>.</summary>
    public async Task<long> CountAsync(string endpoint, string model) =>
        (await StatsAsync())["byEndpointModel"]?[endpoint]?[model]?.GetValue<long>() ?? 0;
}

/// <summary>
/// The simulator on a real loopback port (Kestrel): dropped connections and cut streams behave as they do over TCP,
/// where the bytes sent before the cut reach the client. Built directly, composed as its Program.cs composes it, not
/// through WebApplicationFactory, whose process-wide host discovery can hand a starting factory a host that already
/// runs ("Addresses cannot be modified after the server has started"). The base factory is never started.
/// </summary>
public sealed class SocketMockProviderFactory : MockProviderFactory
{
    private readonly WebApplication _app;

    public SocketMockProviderFactory()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ApplicationName = typeof(Program).Assembly.GetName().Name });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.AddServiceDefaults();
        builder.AddMockProviderServices();
        _app = builder.Build();
        _app.MapMockProvider();
        _app.StartAsync().GetAwaiter().GetResult();
        SocketAddress = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    private int _disposed;

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await _app.DisposeAsync();
        }

        await base.DisposeAsync();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _app.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        base.Dispose(disposing);
    }
}

/// <summary>Request bodies for raw HTTP tests.</summary>
public static class Bodies
{
    public static string Chat(string model, string text = "hello", bool stream = false, int? maxTokens = null, string? extra = null) =>
        $$"""{"model":"{{model}}","stream":{{(stream ? "true" : "false")}}{{(maxTokens is { } m ? $",\"max_tokens\":{m}" : "")}}{{(extra is null ? "" : "," + extra)}},"messages":[{"role":"user","content":"{{text}}"}]}""";

    public static string Message(string model, string text = "hello", bool stream = false, int maxTokens = 64) =>
        $$"""{"model":"{{model}}","stream":{{(stream ? "true" : "false")}},"max_tokens":{{maxTokens}},"messages":[{"role":"user","content":"{{text}}"}]}""";

    /// <summary>The data lines of an SSE body, in order.</summary>
    public static List<string> DataLines(string sse) =>
        sse.Split('\n').Where(l => l.StartsWith("data: ", StringComparison.Ordinal)).Select(l => l[6..]).ToList();

    public static List<string> EventLines(string sse) =>
        sse.Split('\n').Where(l => l.StartsWith("event: ", StringComparison.Ordinal)).Select(l => l[7..]).ToList();
}
