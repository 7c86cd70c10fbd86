using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using IronAspire.AgentSupervisor.Apis;
using IronAspire.Contracts.Budget;
using IronAspire.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace IronAspire.AgentSupervisor.Tests;

/// <summary>
/// The Supervisor on a real loopback port (agents, the WebSocket client and the browser reach it over TCP), with the real
/// Budget service beside it and the shared PostgreSQL (a database per factory), Redis and RabbitMQ (a queue per factory).
/// </summary>
public sealed class SupervisorFactory : WebApplicationFactory<Program>
{
    public const string AdminKey = "test-admin-key-0123456789abcdef";

    private readonly Dictionary<string, string?> _settings;

    private SupervisorFactory(Dictionary<string, string?> settings, BudgetServiceHost budget)
    {
        _settings = settings;
        Budget = budget;
        UseKestrel(0);
    }

    public BudgetServiceHost Budget { get; }

    public string Database => _settings["ConnectionStrings:supervisordb"]!;

    public static Task<SupervisorFactory> StartAsync(string? routerBaseUrl = null, TimeSpan? grace = null,
        TimeSpan? restartBaseDelay = null, string? database = null) =>
        StartAsync(routerBaseUrl, grace, restartBaseDelay, database, null);

    public static async Task<SupervisorFactory> StartAsync(string? routerBaseUrl, TimeSpan? grace, TimeSpan? restartBaseDelay,
        string? database, BudgetServiceHost? budget, IReadOnlyDictionary<string, string?>? extraSettings = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:cache"] = await BackingServers.RedisAsync(),
            ["ConnectionStrings:messaging"] = await BackingServers.RabbitMqAsync(),
            ["ConnectionStrings:supervisordb"] = database ?? await NewDatabaseAsync(),
            ["IRONASPIRE_ADMIN_KEY"] = AdminKey,
            ["IRONASPIRE_SERVICE_KEY"] = BudgetServiceHost.ServiceKey,
            ["Supervisor:RouterBaseUrl"] = routerBaseUrl ?? "http://127.0.0.1:9",
            ["Supervisor:StopGracePeriod"] = (grace ?? TimeSpan.FromSeconds(2)).ToString(),
            ["Supervisor:RestartBaseDelay"] = (restartBaseDelay ?? TimeSpan.FromMilliseconds(200)).ToString(),
            ["Supervisor:LogDirectory"] = Path.Combine(Path.GetTempPath(), "ironaspire-sup-tests", Guid.NewGuid().ToString("N")[..8]),
            ["EventBus:QueuePrefix"] = "sup-test-" + Guid.NewGuid().ToString("N")[..8],
            ["services:budget:http:0"] = "http://localhost",
            // No Analytics beside these Supervisors: a closed port, so the console's reads fail at once (503).
            ["services:analytics:http:0"] = "http://127.0.0.1:9",
        };
        foreach (var (key, value) in extraSettings ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        var factory = new SupervisorFactory(settings, budget ?? await BudgetServiceHost.StartAsync());
        factory.StartServer();
        await factory.WaitHealthyAsync();
        return factory;
    }

    public static Task<string> NewDatabaseAsync() => BackingServers.PostgresDatabaseAsync("sup_" + Guid.NewGuid().ToString("N")[..12]);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        // The Supervisor's BudgetClient talks to the in-process Budget service.
        builder.ConfigureServices(services =>
            services.AddHttpClient<BudgetClient>().ConfigurePrimaryHttpMessageHandler(() => Budget.Server.CreateHandler()));
    }

    public Uri BaseAddress => ClientOptions.BaseAddress;

    public HttpClient Admin()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        return client;
    }

    /// <summary>/health includes the bus: once it answers 200 the Supervisor's queue is bound and events reach it.</summary>
    private async Task WaitHealthyAsync()
    {
        using var client = CreateClient();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            using var response = await client.GetAsync("/health");
            if (response.IsSuccessStatusCode)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The Supervisor did not become healthy: " + await response.Content.ReadAsStringAsync());
            }

            await Task.Delay(100);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Budget.DisposeAsync();
    }
}

public static class AgentApiExtensions
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task<CreatedAgent> CreateAgentAsync(this HttpClient client, object request)
    {
        using var response = await client.PostAsJsonAsync("/v1/agents", request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, $"{(int)response.StatusCode}: {body}");
        return JsonSerializer.Deserialize<CreatedAgent>(body, Json)!;
    }

    public static async Task<AgentView> AgentAsync(this HttpClient client, string id) =>
        (await client.GetFromJsonAsync<AgentView>($"/v1/agents/{id}", Json))!;

    /// <summary>Polls the agent until <paramref name="condition"/> holds; fails with its last view after <paramref name="timeout"/>.</summary>
    public static async Task<AgentView> WaitForAsync(this HttpClient client, string id, Func<AgentView, bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var agent = await client.AgentAsync(id);
            if (condition(agent))
            {
                return agent;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Agent {id} did not reach the expected condition; last: {JsonSerializer.Serialize(agent, Json)}");
            }

            await Task.Delay(50);
        }
    }

    public static async Task<IReadOnlyList<LogLine>> LogsAsync(this HttpClient client, string id, int tail = 100) =>
        (await client.GetFromJsonAsync<LogsView>($"/v1/agents/{id}/logs?tail={tail}", Json))!.Lines;

    public static bool ProcessExists(int pid) => Directory.Exists($"/proc/{pid}") && ProcessGroup.StartTicks(pid) is not null;
}
