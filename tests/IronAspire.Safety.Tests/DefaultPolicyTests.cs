using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IronAspire.Pii.Policies;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace IronAspire.Safety.Tests;

/// <summary>Changes the shared default policy, so it runs alone (its own collection, restored afterwards).</summary>
[CollectionDefinition(nameof(DefaultPolicyTests), DisableParallelization = true)]
public sealed class DefaultPolicyCollection;

[Collection(nameof(DefaultPolicyTests))]
public sealed class DefaultPolicyTests(SafetyHost host) : IClassFixture<SafetyHost>, IAsyncLifetime
{
    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() =>
        await host.Services.GetRequiredService<IConnectionMultiplexer>().GetDatabase().KeyDeleteAsync(PiiPolicyStore.DefaultKey);

    [Fact]
    public async Task The_default_is_built_in_until_one_is_stored()
    {
        await host.Services.GetRequiredService<IConnectionMultiplexer>().GetDatabase().KeyDeleteAsync(PiiPolicyStore.DefaultKey);
        var policy = (await host.Client.GetFromJsonAsync<JsonObject>("/v1/policies/default"))!;
        Assert.Equal("redact", policy["request"]!["SECRET"]!.GetValue<string>());
        Assert.Equal("audit", policy["request"]!["EMAIL_ADDRESS"]!.GetValue<string>());
    }

    [Fact]
    public async Task Custom_types_in_the_default_are_used_by_scan_and_by_agent_overrides()
    {
        var put = await host.Client.PutAsJsonAsync("/v1/policies/default", new
        {
            request = new Dictionary<string, string> { ["SECRET"] = "redact", ["EMPLOYEE_ID"] = "redact" },
            response = new Dictionary<string, string> { ["SECRET"] = "redact" },
            customTypes = new[] { new { name = "EMPLOYEE_ID", pattern = @"\bEMP-\d{6}\b", validation = "none" } },
        });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        var scan = (await (await host.Client.PostAsJsonAsync("/v1/scan", new { text = "ask EMP-123456", types = new[] { "EMPLOYEE_ID" } }))
            .Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("ask [EMPLOYEE_ID]", scan["redacted"]!.GetValue<string>());

        var agent = "agent-" + Guid.NewGuid().ToString("N");
        var agentPut = await host.Client.PutAsJsonAsync($"/v1/policies/{agent}", new { response = new Dictionary<string, string> { ["EMPLOYEE_ID"] = "block" } });
        Assert.Equal(HttpStatusCode.OK, agentPut.StatusCode);
        await host.Client.DeleteAsync($"/v1/policies/{agent}");
    }
}
