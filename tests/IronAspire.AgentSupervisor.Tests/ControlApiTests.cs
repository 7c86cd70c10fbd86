using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using IronAspire.Contracts.Agents;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace IronAspire.AgentSupervisor.Tests;

/// <summary>One Supervisor for the class: these tests only read or create their own agents.</summary>
public sealed class SupervisorFixture : IAsyncLifetime
{
    public SupervisorFactory Factory { get; private set; } = null!;

    public async Task InitializeAsync() => Factory = await SupervisorFactory.StartAsync();

    public async Task DisposeAsync() => await Factory.DisposeAsync();
}

public sealed class ControlApiTests(SupervisorFixture fixture) : IClassFixture<SupervisorFixture>
{
    private readonly SupervisorFactory _factory = fixture.Factory;

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-key")]
    [InlineData("test-admin-key-0123456789abcdeX")]
    public async Task Missing_or_wrong_admin_key_is_401_problem(string? key)
    {
        using var client = _factory.CreateClient();
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        foreach (var request in new[]
        {
            new HttpRequestMessage(HttpMethod.Get, "/v1/agents"),
            new HttpRequestMessage(HttpMethod.Post, "/v1/agents") { Content = JsonContent.Create(new { name = "x", budgetUsd = 1 }) },
            new HttpRequestMessage(HttpMethod.Delete, "/v1/agents/agt-1"),
        })
        {
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        using var events = new ClientWebSocket();
        var uri = new Uri(new Uri(_factory.BaseAddress.ToString().Replace("http", "ws")), "/v1/events" + (key is null ? "" : "?access_token=" + key));
        var error = await Assert.ThrowsAsync<WebSocketException>(() => events.ConnectAsync(uri, CancellationToken.None));
        Assert.Contains("401", error.Message);
    }

    [Fact]
    public async Task External_agent_gets_a_key_the_router_can_look_up_and_delete_revokes_it()
    {
        using var admin = _factory.Admin();
        var created = await admin.CreateAgentAsync(new { name = "external-app", budgetUsd = 2.5m, projectId = "proj-a" });
        Assert.StartsWith(AgentKeyFormat.KeyPrefix, created.ApiKey);
        Assert.Equal("Pending", created.State);
        Assert.Equal("http://127.0.0.1:9/v1", created.OpenAIBaseUrl);

        var redis = _factory.Services.GetRequiredService<IConnectionMultiplexer>().GetDatabase();
        Assert.Equal(created.Id, (string?)await redis.HashGetAsync(AgentKeyFormat.RedisKey(created.ApiKey), AgentKeyFormat.AgentIdField));
        Assert.Equal("proj-a", (string?)await redis.HashGetAsync(AgentKeyFormat.RedisKey(created.ApiKey), AgentKeyFormat.ProjectIdField));

        var view = await admin.AgentAsync(created.Id);
        Assert.True(view.External);
        Assert.Equal(2.5m, view.Budget!.Limit);
        Assert.Equal(0m, view.Budget.Spent);

        // The key is never stored in clear: not in the API, not in PostgreSQL.
        var listed = await admin.GetStringAsync("/v1/agents");
        Assert.DoesNotContain(created.ApiKey, listed);

        // Budget changes go to the Budget service.
        using (var put = await admin.PutAsJsonAsync($"/v1/agents/{created.Id}/budget", new { budgetUsd = 7m }))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        Assert.Equal(7m, (await admin.AgentAsync(created.Id)).Budget!.Limit);

        using (var delete = await admin.DeleteAsync($"/v1/agents/{created.Id}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        Assert.False(await redis.KeyExistsAsync(AgentKeyFormat.RedisKey(created.ApiKey)));
        using var gone = await admin.GetAsync($"/v1/agents/{created.Id}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task An_agents_allowed_models_reach_the_routers_key_record_and_its_view()
    {
        using var admin = _factory.Admin();
        var limited = await admin.CreateAgentAsync(new { name = "limited-app", budgetUsd = 1m, models = new[] { "gpt-4o-mini", "claude-*" } });
        var open = await admin.CreateAgentAsync(new { name = "open-app", budgetUsd = 1m });

        var redis = _factory.Services.GetRequiredService<IConnectionMultiplexer>().GetDatabase();
        Assert.Equal("gpt-4o-mini,claude-*", (string?)await redis.HashGetAsync(AgentKeyFormat.RedisKey(limited.ApiKey), AgentKeyFormat.ModelsField));
        Assert.False(await redis.HashExistsAsync(AgentKeyFormat.RedisKey(open.ApiKey), AgentKeyFormat.ModelsField));

        var view = await admin.GetFromJsonAsync<JsonObject>($"/v1/agents/{limited.Id}");
        Assert.Equal(["gpt-4o-mini", "claude-*"], view!["models"]!.AsArray().Select(m => m!.GetValue<string>()));
    }

    [Fact]
    public async Task An_agents_rate_limits_reach_the_routers_key_record_and_its_view_and_PATCH_replaces_them()
    {
        using var admin = _factory.Admin();
        var agent = await admin.CreateAgentAsync(new { name = "paced-app", budgetUsd = 1m, limits = new { requestsPerMinute = 60, tokensPerMinute = 100_000, maxConcurrent = 4 } });
        var redis = _factory.Services.GetRequiredService<IConnectionMultiplexer>().GetDatabase();
        var record = AgentKeyFormat.RedisKey(agent.ApiKey);
        Assert.Equal(60, (int)await redis.HashGetAsync(record, AgentKeyFormat.RequestsPerMinuteField));
        Assert.Equal(100_000, (long)await redis.HashGetAsync(record, AgentKeyFormat.TokensPerMinuteField));
        Assert.Equal(4, (int)await redis.HashGetAsync(record, AgentKeyFormat.MaxConcurrentField));
        var view = await admin.GetFromJsonAsync<JsonObject>($"/v1/agents/{agent.Id}");
        Assert.Equal(60, view!["limits"]!["requestsPerMinute"]!.GetValue<int>());

        using var patched = await admin.PatchAsJsonAsync($"/v1/agents/{agent.Id}", new { limits = new { requestsPerMinute = 10 } });
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        var patchedView = await patched.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal(10, patchedView!["limits"]!["requestsPerMinute"]!.GetValue<int>());
        Assert.Null(patchedView["limits"]!["maxConcurrent"]);
        Assert.Equal(10, (int)await redis.HashGetAsync(record, AgentKeyFormat.RequestsPerMinuteField));
        Assert.False(await redis.HashExistsAsync(record, AgentKeyFormat.MaxConcurrentField));
        Assert.False(await redis.HashExistsAsync(record, AgentKeyFormat.TokensPerMinuteField));

        // Stored in PostgreSQL: what the Supervisor reads back after a restart.
        var stored = await admin.GetFromJsonAsync<JsonObject>($"/v1/agents/{agent.Id}");
        Assert.Equal(10, stored!["limits"]!["requestsPerMinute"]!.GetValue<int>());

        using var cleared = await admin.PatchAsJsonAsync($"/v1/agents/{agent.Id}", new { limits = new { } });
        Assert.Equal(HttpStatusCode.OK, cleared.StatusCode);
        Assert.False(await redis.HashExistsAsync(record, AgentKeyFormat.RequestsPerMinuteField));

        using var bad = await admin.PatchAsJsonAsync($"/v1/agents/{agent.Id}", new { limits = new { maxConcurrent = 0 } });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.NotNull((await bad.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!["limits.maxConcurrent"]);
        using var missing = await admin.PatchAsJsonAsync("/v1/agents/agt-nobody", new { limits = new { maxConcurrent = 2 } });
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    private static readonly string NotExecutable = CreateNotExecutable();

    private static string CreateNotExecutable()
    {
        var path = Path.Combine(Path.GetTempPath(), "ironaspire-not-executable.sh");
        File.WriteAllText(path, "echo hi\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }

    public static TheoryData<string, string> BadAgents => new()
    {
        { """{"name":"a","budgetUsd":1,"command":"/definitely/not/here"}""", "command" },
        { """{"name":"a","budgetUsd":1,"command":"no-such-command-ironaspire"}""", "command" },
        { $$"""{"name":"a","budgetUsd":1,"command":"{{NotExecutable}}"}""", "command" },
        { """{"name":"a","budgetUsd":-1}""", "budgetUsd" },
        { """{"name":"a","budgetUsd":0}""", "budgetUsd" },
        { """{"name":"a"}""", "budgetUsd" },
        { """{"budgetUsd":1}""", "name" },
        { """{"name":"a","budgetUsd":1,"restart":"always-maybe"}""", "restart" },
        { """{"name":"a","budgetUsd":1,"maxRestarts":-2}""", "maxRestarts" },
        { """{"name":"a","budgetUsd":1,"projectId":"a:b"}""", "projectId" },
        { """{"name":"a","budgetUsd":1,"command":"sleep","workingDirectory":"/no/such/dir"}""", "workingDirectory" },
        { """{"name":"a","budgetUsd":1,"args":["x"]}""", "args" },
        { """{"name":"a","budgetUsd":1,"models":["gpt-4o,claude-*"]}""", "models" },
        { """{"name":"a","budgetUsd":1,"models":[""]}""", "models" },
        { """{"name":"a","budgetUsd":1,"models":["gpt 4o"]}""", "models" },
        { """{"name":"a","budgetUsd":1,"limits":{"requestsPerMinute":0}}""", "limits.requestsPerMinute" },
        { """{"name":"a","budgetUsd":1,"limits":{"tokensPerMinute":-5}}""", "limits.tokensPerMinute" },
    };

    [Theory]
    [MemberData(nameof(BadAgents))]
    public async Task Bad_agent_definitions_are_400_naming_the_field(string body, string field)
    {
        using var admin = _factory.Admin();
        using var response = await admin.PostAsync("/v1/agents", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.NotNull(problem!["errors"]![field]);
    }

    [Fact]
    public async Task Malformed_json_is_400()
    {
        using var admin = _factory.Admin();
        using var response = await admin.PostAsync("/v1/agents", new StringContent("{not json", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Unknown_agent_ids_are_404_and_invalid_budgets_400()
    {
        using var admin = _factory.Admin();
        foreach (var request in new[]
        {
            new HttpRequestMessage(HttpMethod.Get, "/v1/agents/agt-nope"),
            new HttpRequestMessage(HttpMethod.Post, "/v1/agents/agt-nope/stop"),
            new HttpRequestMessage(HttpMethod.Post, "/v1/agents/agt-nope/start"),
            new HttpRequestMessage(HttpMethod.Get, "/v1/agents/agt-nope/logs"),
            new HttpRequestMessage(HttpMethod.Delete, "/v1/agents/agt-nope"),
            new HttpRequestMessage(HttpMethod.Put, "/v1/agents/agt-nope/budget") { Content = JsonContent.Create(new { budgetUsd = 1 }) },
        })
        {
            using var response = await admin.SendAsync(request);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        var agent = await admin.CreateAgentAsync(new { name = "budgeted", budgetUsd = 1 });
        foreach (var body in new object[] { new { budgetUsd = -5 }, new { budgetUsd = 0 }, new { other = 1 }, new { budgetUsd = 1e12 } })
        {
            using var response = await admin.PutAsJsonAsync($"/v1/agents/{agent.Id}/budget", body);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }

        using var tail = await admin.GetAsync($"/v1/agents/{agent.Id}/logs?tail=0");
        Assert.Equal(HttpStatusCode.BadRequest, tail.StatusCode);
        using var start = await admin.PostAsync($"/v1/agents/{agent.Id}/start", null);
        Assert.Equal(HttpStatusCode.Conflict, start.StatusCode);
    }
}
