using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IronAspire.AgentSupervisor.Data;
using IronAspire.Contracts.Agents;
using IronAspire.Contracts.Events;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace IronAspire.AgentSupervisor.Tests;

/// <summary>
/// POST /v1/agents/{id}/revoke (what the Python SDK's session does on exit): the keys leave Redis for good, a running agent
/// is stopped first, the record and its budget stay readable; nothing — a start, a budget event, a Supervisor restart —
/// brings the keys back. And GET /v1/router tells clients where the Router is.
/// </summary>
public sealed class RevokeTests
{
    private static string Script(string name) => Path.Combine(AppContext.BaseDirectory, "scripts", name);

    [Fact]
    public async Task Revoked_keys_stay_revoked_and_the_record_stays_readable()
    {
        var database = await SupervisorFactory.NewDatabaseAsync();
        var redis = (await ConnectionMultiplexer.ConnectAsync(await BackingServers.RedisAsync())).GetDatabase();
        CreatedAgent external, supervised;
        await using (var supervisor = await SupervisorFactory.StartAsync(database: database))
        {
            using var admin = supervisor.Admin();
            external = await admin.CreateAgentAsync(new { name = "session", budgetUsd = 0.5m });
            supervised = await admin.CreateAgentAsync(new { name = "idle", command = "bash", args = new[] { Script("idle.sh") }, budgetUsd = 1 });
            var running = await admin.WaitForAsync(supervised.Id, a => a.State == "Running");
            string runKeyHash;
            await using (var scope = supervisor.Services.CreateAsyncScope())
            {
                runKeyHash = (await scope.ServiceProvider.GetRequiredService<SupervisorDbContext>().Agents.SingleAsync(a => a.Id == supervised.Id)).RunKeyHash!;
            }

            Assert.True(await redis.KeyExistsAsync(AgentKeyFormat.RedisKeyPrefix + runKeyHash));

            foreach (var id in new[] { external.Id, supervised.Id, external.Id })
            {
                using var revoke = await admin.PostAsync($"/v1/agents/{id}/revoke", null);
                Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
                var view = await revoke.Content.ReadFromJsonAsync<JsonObject>(AgentApiExtensions.Json);
                Assert.Equal("Revoked", view!["state"]!.GetValue<string>());
            }

            Assert.False(await redis.KeyExistsAsync(AgentKeyFormat.RedisKey(external.ApiKey)));
            Assert.False(await redis.KeyExistsAsync(AgentKeyFormat.RedisKey(supervised.ApiKey)));
            Assert.False(await redis.KeyExistsAsync(AgentKeyFormat.RedisKeyPrefix + runKeyHash), "the running agent's run key");
            Assert.False(AgentApiExtensions.ProcessExists(running.Pid!.Value), "the running agent was stopped");

            var kept = await admin.AgentAsync(external.Id);
            Assert.Equal("Revoked", kept.State);
            Assert.Equal(0.5m, kept.Budget!.Limit);

            using (var start = await admin.PostAsync($"/v1/agents/{supervised.Id}/start", null))
            {
                Assert.Equal(HttpStatusCode.Conflict, start.StatusCode);
            }

            // Nor do the console's operations (restart, a new key, new models) bring a key back.
            using (var restart = await admin.PostAsync($"/v1/agents/{supervised.Id}/restart", null))
            {
                Assert.Equal(HttpStatusCode.Conflict, restart.StatusCode);
            }

            using (var rotate = await admin.PostAsync($"/v1/agents/{external.Id}/key", null))
            {
                Assert.Equal(HttpStatusCode.Conflict, rotate.StatusCode);
            }

            using (var models = await admin.PutAsJsonAsync($"/v1/agents/{supervised.Id}/models", new { models = new[] { "gpt-4o-mini" } }))
            {
                Assert.Equal(HttpStatusCode.OK, models.StatusCode);
            }

            Assert.False(await redis.KeyExistsAsync(AgentKeyFormat.RedisKey(supervised.ApiKey)));
            Assert.Equal("Revoked", (await admin.AgentAsync(supervised.Id)).State);

            using (var put = await admin.PutAsJsonAsync($"/v1/agents/{external.Id}/budget", new { budgetUsd = 2m }))
            {
                Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            }

            await supervisor.Services.GetRequiredService<AgentRunner>().BudgetExhaustedAsync(BudgetScope.Agent, external.Id, CancellationToken.None);
            Assert.Equal("Revoked", (await admin.AgentAsync(external.Id)).State);
            Assert.False(await redis.KeyExistsAsync(AgentKeyFormat.RedisKey(external.ApiKey)));

            using var missing = await admin.PostAsync("/v1/agents/agt-nope/revoke", null);
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }

        // A crash between recording the revocation and deleting the key leaves the key in Redis: the next start removes it,
        // and never writes a revoked agent's key back.
        await redis.HashSetAsync(AgentKeyFormat.RedisKey(external.ApiKey), AgentKeyFormat.AgentIdField, external.Id);
        await using var restarted = await SupervisorFactory.StartAsync(database: database);
        Assert.False(await redis.KeyExistsAsync(AgentKeyFormat.RedisKey(external.ApiKey)));
        Assert.False(await redis.KeyExistsAsync(AgentKeyFormat.RedisKey(supervised.ApiKey)));
        using var admin2 = restarted.Admin();
        Assert.Equal("Revoked", (await admin2.AgentAsync(supervised.Id)).State);
    }

    [Fact]
    public async Task The_router_endpoints_and_calls_route_answer_with_the_admin_key_only()
    {
        await using var supervisor = await SupervisorFactory.StartAsync(routerBaseUrl: "http://127.0.0.1:8555/");
        using var anonymous = supervisor.CreateClient();
        using (var refused = await anonymous.GetAsync("/v1/router"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        using var admin = supervisor.Admin();
        var router = await admin.GetFromJsonAsync<RouterView>("/v1/router", AgentApiExtensions.Json);
        Assert.Equal(new RouterView("http://127.0.0.1:8555", "http://127.0.0.1:8555/v1", "http://127.0.0.1:8555"), router);

        var agent = await admin.CreateAgentAsync(new { name = "calls", budgetUsd = 1 });
        Assert.Equal(router!.OpenAIBaseUrl, agent.OpenAIBaseUrl);
        using (var badLimit = await admin.GetAsync($"/v1/agents/{agent.Id}/calls?limit=0"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, badLimit.StatusCode);
        }

        using (var unknown = await admin.GetAsync("/v1/agents/agt-nope/calls"))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }

        var document = await anonymous.GetStringAsync("/openapi/v1.json");
        Assert.Contains("/v1/agents/{id}/revoke", document, StringComparison.Ordinal);
        Assert.Contains("/v1/agents/{id}/calls", document, StringComparison.Ordinal);
        Assert.Contains("/v1/router", document, StringComparison.Ordinal);
    }
}
