using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IronAspire.Testing;
using IronAspire.Contracts.Budget;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IronAspire.Budget.Tests;

/// <summary>The Budget service in-process against the shared real Redis and a database of its own.</summary>
public sealed class BudgetServiceFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string AdminKey = "budget-tests-admin-key";
    public const string ServiceKey = "budget-tests-service-key";

    private string _redis = "";
    private string _database = "";

    public TimeProvider? Time { get; init; }

    /// <summary>Extra configuration (Budget:FailOpen, Budget:Prices:..., ...).</summary>
    public Dictionary<string, string> Settings { get; init; } = [];

    /// <summary>Publish events on a real RabbitMQ (as in the application model); off by default to keep the tests light.</summary>
    public bool WithEventBus { get; init; }

    private string? _messaging;

    public async Task InitializeAsync()
    {
        _redis = await BackingServers.RedisAsync();
        _database = await BackingServers.PostgresDatabaseAsync("budget_" + Guid.NewGuid().ToString("N")[..12]);
        _messaging = WithEventBus ? await BackingServers.RabbitMqAsync() : null;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("ConnectionStrings:cache", _redis);
        builder.UseSetting("ConnectionStrings:budgetdb", _database);
        builder.UseSetting("Budget:SweepIntervalSeconds", "0.2");
        builder.UseSetting("IRONASPIRE_ADMIN_KEY", AdminKey);
        builder.UseSetting("IRONASPIRE_SERVICE_KEY", ServiceKey);
        if (_messaging is not null)
        {
            builder.UseSetting("ConnectionStrings:messaging", _messaging);
        }
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }
        if (Time is not null)
        {
            builder.ConfigureServices(services => services.Replace(ServiceDescriptor.Singleton(Time)));
        }
    }

    /// <summary>Clients call as a service does (the Router, the Supervisor): with the service key.</summary>
    protected override void ConfigureClient(HttpClient client)
    {
        base.ConfigureClient(client);
        client.DefaultRequestHeaders.Authorization = new("Bearer", ServiceKey);
    }

    public new Task DisposeAsync() => base.DisposeAsync().AsTask();

    /// <summary>The shared typed client, as the Router and the Supervisor use it, talking to this in-process service.</summary>
    public BudgetClient CreateBudgetClient() => new(CreateClient());

    /// <summary>Waits until every committed cost has left the Redis outbox for the PostgreSQL ledger.</summary>
    public async Task<long> LedgerTotalNanosAsync(string agentId)
    {
        await Services.GetRequiredService<IronAspire.Budget.Ledger.LedgerOutbox>().DrainAllAsync();
        return await Services.GetRequiredService<IronAspire.Budget.Ledger.BudgetLedger>().TotalSpentAsync(agentId);
    }

    public async Task SetLimitAsync(string agentId, decimal limitUsd, string period = "lifetime", string scope = "budgets")
    {
        var path = scope == "budgets" ? $"/v1/budgets/{agentId}" : $"/v1/projects/{agentId}/budget";
        using var response = await CreateClient().PutAsJsonAsync(path, new { limitUsd, period });
        response.EnsureSuccessStatusCode();
    }

    public async Task<JsonObject> GetBudgetAsync(string agentId, string scope = "budgets")
    {
        var path = scope == "budgets" ? $"/v1/budgets/{agentId}" : $"/v1/projects/{agentId}/budget";
        return (await CreateClient().GetFromJsonAsync<JsonObject>(path))!;
    }
}
