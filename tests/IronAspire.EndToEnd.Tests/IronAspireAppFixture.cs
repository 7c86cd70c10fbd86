using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IronAspire.Contracts.Agents;
using IronAspire.Testing;
using StackExchange.Redis;

namespace IronAspire.EndToEnd.Tests;

/// <summary>The whole application model, started once for the end-to-end tests (real servers, real processes).</summary>
public sealed class IronAspireAppFixture : IAsyncLifetime
{
    public IronAspireApp App { get; private set; } = null!;

    public Uri RouterUrl => App.GetEndpoint("router");

    public string DemoKey { get; private set; } = "";

    public string AdminKey { get; private set; } = "";

    /// <summary>A client of an internal service (budget, analytics, safety) that calls as the operator: with the admin key.</summary>
    public HttpClient CreateOperatorClient(string resource)
    {
        var client = App.CreateHttpClient(resource);
        client.DefaultRequestHeaders.Authorization = new("Bearer", AdminKey);
        return client;
    }

    public async Task InitializeAsync()
    {
        App = await IronAspireApp.StartAsync();
        DemoKey = await App.ParameterAsync("demo-key");
        AdminKey = await App.ParameterAsync("admin-key");
    }

    /// <summary>Registers a new agent key the way the control plane does (its SHA-256 hash in Redis); returns the key.</summary>
    public async Task<string> RegisterAgentKeyAsync(string agentId, string? projectId = null)
    {
        var key = AgentKeyFormat.NewKey();
        await using var redis = await ConnectionMultiplexer.ConnectAsync(await App.ConnectionStringAsync("cache"));
        HashEntry[] fields = projectId is null
            ? [new(AgentKeyFormat.AgentIdField, agentId)]
            : [new(AgentKeyFormat.AgentIdField, agentId), new(AgentKeyFormat.ProjectIdField, projectId)];
        await redis.GetDatabase().HashSetAsync(AgentKeyFormat.RedisKey(key), fields);
        return key;
    }

    /// <summary>A budget's state (<c>/v1/budgets/{id}</c> or a project's path) once nothing is reserved: every call settled.</summary>
    public async Task<JsonObject> WaitSettledAsync(string path)
    {
        using var budget = CreateOperatorClient("budget");
        return await budget.WaitSettledAsync(path);
    }

    /// <summary>Analytics' summary of an agent once it counts <paramref name="requests"/> calls (events arrive a little after
    /// the calls), or as it stands after 30 s.</summary>
    public async Task<JsonObject> WaitForSummaryAsync(string agentId, long requests)
    {
        using var analytics = CreateOperatorClient("analytics");
        JsonObject summary = null!;
        for (var i = 0; i < 150; i++)
        {
            summary = (await analytics.GetFromJsonAsync<JsonObject>($"/v1/analytics/summary?agentId={agentId}"))!;
            if (summary["requests"]!.GetValue<long>() == requests)
            {
                break;
            }

            await Task.Delay(200);
        }

        return summary;
    }

    public async Task DisposeAsync() => await App.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class IronAspireAppCollection : ICollectionFixture<IronAspireAppFixture>
{
    public const string Name = "IronAspire app";
}
