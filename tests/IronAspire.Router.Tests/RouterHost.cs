using System.Net.Http.Json;
using IronAspire.Testing;
using IronAspire.MockProvider.Simulation;
using IronAspire.Router.Providers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace IronAspire.Router.Tests;

/// <summary>
/// A MockProvider on a real loopback port (the Router reaches it over sockets, as it reaches a provider), composed
/// the way its Program.cs composes it. Built directly rather than through WebApplicationFactory, whose process-wide
/// host discovery can hand a starting factory a host that already runs.
/// </summary>
public sealed class MockProviderHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private MockProviderHost(WebApplication app)
    {
        _app = app;
        Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Admin = new HttpClient { BaseAddress = new Uri(Url) };
    }

    public static async Task<MockProviderHost> StartAsync()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ApplicationName = typeof(MockOptions).Assembly.GetName().Name });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.AddServiceDefaults();
        builder.AddMockProviderServices();
        var app = builder.Build();
        app.MapMockProvider();
        await app.StartAsync();
        return new MockProviderHost(app);
    }

    public string Url { get; }
    public HttpClient Admin { get; }

    public async Task SetFaultAsync(FaultSettings? fault)
    {
        if (fault is null)
        {
            (await Admin.DeleteAsync("/admin/faults")).EnsureSuccessStatusCode();
        }
        else
        {
            (await Admin.PutAsJsonAsync("/admin/faults", fault)).EnsureSuccessStatusCode();
        }
    }

    public async Task<long> RequestCountAsync() =>
        (await Admin.GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>("/admin/stats"))!["total"]!.GetValue<long>();

    public async Task<string?> LastAuthorizationAsync() =>
        (await Admin.GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>("/admin/stats"))!["lastAuthorization"]?.GetValue<string>();

    public async ValueTask DisposeAsync()
    {
        Admin.Dispose();
        await _app.DisposeAsync();
    }
}

/// <summary>The Router in-process (TestServer) with its settings given by the test, against real Redis.</summary>
public sealed class RouterHost : IAsyncDisposable
{
    public const string AgentKey = "test-agent-key";
    public const string AdminKey = "test-admin-key";

    private readonly WebApplicationFactory<RouterOptions> _factory;

    private RouterHost(WebApplicationFactory<RouterOptions> factory, LogCapture logs)
    {
        _factory = factory;
        Logs = logs;
        Client = factory.CreateClient();
    }

    public HttpClient Client { get; }

    /// <summary>A new client of the in-process Router, for an SDK that owns (and may dispose) its HttpClient.</summary>
    public HttpClient CreateClient() => _factory.CreateClient();

    /// <summary>Every log line the Router wrote (formatted, with its exception), to check what never appears in them.</summary>
    public LogCapture Logs { get; }
    public IServiceProvider Services => _factory.Services;

    /// <param name="services">Extra service registrations (e.g. the Budget service's in-process handler).</param>
    public static async Task<RouterHost> StartAsync(IDictionary<string, string?> settings, Action<IServiceCollection>? services = null)
    {
        var redis = await BackingServers.RedisAsync();
        var messaging = await BackingServers.RabbitMqAsync();
        var logs = new LogCapture();
        var factory = new WebApplicationFactory<RouterOptions>().WithWebHostBuilder(web =>
        {
            web.ConfigureLogging(logging => logging.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
            web.UseSetting("ConnectionStrings:cache", redis);
            web.UseSetting("ConnectionStrings:messaging", messaging);
            // Each test's Router is short-lived; its events are not what these tests check.
            web.UseSetting("EventBus:ShutdownFlushTimeout", "00:00:00.500");
            web.UseSetting("IRONASPIRE_DEMO_KEY", AgentKey);
            web.UseSetting("IRONASPIRE_ADMIN_KEY", AdminKey);
            web.UseSetting("Router:Resilience:RetryBaseDelayMs", "5");
            // Budgets are tested with the Budget service (end-to-end); these tests are about the proxy itself.
            web.UseSetting("Router:Budget:Enabled", "false");
            foreach (var (key, value) in settings)
            {
                web.UseSetting(key, value);
            }

            if (services is not null)
            {
                web.ConfigureServices(services);
            }
        });
        return new RouterHost(factory, logs);
    }

    /// <summary>
    /// One MockProvider as two providers: OpenAI-compatible for <c>gpt-*</c>, Anthropic for <c>claude-*</c>; both take
    /// the MockProvider's <c>x-mock-*</c> controls, as the Router's built-in MockProvider upstream does.
    /// </summary>
    public static Dictionary<string, string?> OpenAIAndAnthropic(string url)
    {
        var settings = Provider(0, "mock", "OpenAICompatible", url, "k", "gpt-*");
        foreach (var (key, value) in Provider(1, "mock-anthropic", "Anthropic", url, "k", "claude-*"))
        {
            settings[key] = value;
        }

        settings["Router:Providers:0:ForwardHeaders:0"] = settings["Router:Providers:1:ForwardHeaders:0"] = ProviderRegistry.MockControlHeaders;

        return settings;
    }

    /// <summary>Settings for one provider at position <paramref name="index"/> of Router:Providers.</summary>
    public static Dictionary<string, string?> Provider(int index, string name, string kind, string url, string key, params string[] models)
    {
        var settings = new Dictionary<string, string?>
        {
            [$"Router:Providers:{index}:Name"] = name,
            [$"Router:Providers:{index}:Kind"] = kind,
            [$"Router:Providers:{index}:BaseUrl"] = url,
            [$"Router:Providers:{index}:ApiKey"] = key,
        };
        for (var i = 0; i < models.Length; i++)
        {
            settings[$"Router:Providers:{index}:Models:{i}"] = models[i];
        }

        return settings;
    }

    public Task<HttpResponseMessage> PostAsync(string path, string json, string? key = AgentKey, string contentType = "application/json")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, System.Text.Encoding.UTF8, contentType) };
        if (key is not null)
        {
            request.Headers.Authorization = new("Bearer", key);
        }

        return Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    public static string Chat(string model, bool stream = false, int maxTokens = 16) =>
        $$"""{"model":"{{model}}","stream":{{(stream ? "true" : "false")}},"max_tokens":{{maxTokens}},"messages":[{"role":"user","content":"hello"}]}""";

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _factory.DisposeAsync();
    }
}

/// <summary>Keeps every formatted log line of a host in memory.</summary>
public sealed class LogCapture : ILoggerProvider
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<string> Lines => _lines;

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, System.Collections.Concurrent.ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
    }
}
