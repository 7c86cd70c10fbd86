using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using IronAspire.Contracts.Agents;
using IronAspire.Contracts.Events;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace IronAspire.AgentSupervisor.Tests;

/// <summary>
/// The sample Python agent (samples/python/agent.py, unmodified) under supervision, calling an OpenAI-compatible
/// endpoint with the key the Supervisor gave it; spend is real (the Budget service), events travel over RabbitMQ.
/// </summary>
public sealed class PythonAgentTests : IAsyncLifetime
{
    private SupervisorFactory _factory = null!;
    private TestBus _bus = null!;
    private FakeRouter _router = null!;

    private RoutedSupervisor _app = null!;

    public async Task InitializeAsync()
    {
        _app = await RoutedSupervisor.StartAsync();
        (_factory, _router, _bus) = (_app.Supervisor, _app.Router, _app.Bus);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    public static string Python() =>
        new[] { "/usr/bin/python3", "/usr/local/bin/python3" }.FirstOrDefault(File.Exists)
        ?? CommandResolver.Resolve("python3", null)
        ?? throw new InvalidOperationException("python3 is needed for this test");

    private static string AgentScript => Path.Combine(AppContext.BaseDirectory, "samples", "agent.py");

    [Fact]
    public async Task Python_agent_calls_are_attributed_then_its_budget_runs_out_and_it_is_stopped_as_BudgetExhausted()
    {
        using var admin = _factory.Admin();
        // gpt-4o-mini: a call of 20 input and 30 output tokens costs $0.000021; $0.0002 pays for about nine.
        var created = await admin.CreateAgentAsync(new
        {
            name = "python-agent",
            command = Python(),
            args = new[] { AgentScript },
            env = new Dictionary<string, string> { ["AGENT_INTERVAL"] = "0.1", ["AGENT_MAX_TOKENS"] = "30" },
            budgetUsd = 0.0002m,
            restart = "on-failure",
            maxRestarts = 3,
        });

        var running = await admin.WaitForAsync(created.Id, a => a.State == "Running");
        var attributed = await admin.WaitForAsync(created.Id, a => a.Requests >= 2 && a.Budget!.Spent > 0);
        Assert.Equal(attributed.Requests * 50, attributed.Tokens);

        // The budget runs out: the refusal's BudgetExhausted event stops the agent, whatever its restart policy.
        var exhausted = await admin.WaitForAsync(created.Id, a => a.State == "BudgetExhausted", TimeSpan.FromSeconds(30));
        Assert.Null(exhausted.Pid);
        Assert.False(AgentApiExtensions.ProcessExists(running.Pid!.Value));
        Assert.True(exhausted.Budget!.Spent <= exhausted.Budget.Limit);
        var logs = await admin.LogsAsync(created.Id, 1000);
        Assert.Contains(logs, l => l.Text.Contains($"agent {created.Id} calling {_router.BaseUrl}/v1", StringComparison.Ordinal));
        Assert.Contains(logs, l => l.Text.Contains("'governed hello'", StringComparison.Ordinal));

        // It cannot be started until the budget is raised; then it can.
        using (var refused = await admin.PostAsync($"/v1/agents/{created.Id}/start", null))
        {
            Assert.Equal(System.Net.HttpStatusCode.Conflict, refused.StatusCode);
        }

        using (var raise = await admin.PutAsJsonAsync($"/v1/agents/{created.Id}/budget", new { budgetUsd = 1m }))
        {
            raise.EnsureSuccessStatusCode();
        }

        Assert.Equal("Stopped", (await admin.AgentAsync(created.Id)).State);
        using (var start = await admin.PostAsync($"/v1/agents/{created.Id}/start", null))
        {
            start.EnsureSuccessStatusCode();
        }

        var before = (await admin.AgentAsync(created.Id)).Requests;
        var resumed = await admin.WaitForAsync(created.Id, a => a.State == "Running" && a.Requests > before + 1);
        Assert.NotEqual(running.Pid, resumed.Pid);

        // Deleting it stops the process and revokes its key: the Router no longer knows it.
        using (var delete = await admin.DeleteAsync($"/v1/agents/{created.Id}"))
        {
            delete.EnsureSuccessStatusCode();
        }

        Assert.False(AgentApiExtensions.ProcessExists(resumed.Pid!.Value));
        var redis = _factory.Services.GetRequiredService<IConnectionMultiplexer>().GetDatabase();
        Assert.False(await redis.KeyExistsAsync(AgentKeyFormat.RedisKey(created.ApiKey)));
    }

    [Fact]
    public async Task WebSocket_receives_the_events_of_a_call_within_one_second()
    {
        using var admin = _factory.Admin();
        var created = await admin.CreateAgentAsync(new { name = "ws-external", budgetUsd = 1m });

        using var socket = new ClientWebSocket();
        var ws = new Uri(_factory.BaseAddress.ToString().Replace("http://", "ws://") + "v1/events?access_token=" + SupervisorFactory.AdminKey);
        await socket.ConnectAsync(ws, CancellationToken.None);
        Assert.Equal("hello", (await ReceiveAsync(socket, TimeSpan.FromSeconds(5)))["type"]!.ToString());

        // One call through the OpenAI-compatible endpoint with the agent's key.
        using var agentClient = new HttpClient();
        agentClient.DefaultRequestHeaders.Authorization = new("Bearer", created.ApiKey);
        using var call = await agentClient.PostAsJsonAsync(_router.BaseUrl + "/v1/chat/completions",
            new { model = "gpt-4o-mini", max_tokens = 30, messages = new[] { new { role = "user", content = "hi" } } });
        call.EnsureSuccessStatusCode();
        var answered = Stopwatch.StartNew();

        var message = await ReceiveUntilAsync(socket, m => (string?)m["type"] == "call.completed" && (string?)m["data"]!["agentId"] == created.Id, TimeSpan.FromSeconds(1));
        Assert.True(answered.Elapsed < TimeSpan.FromSeconds(1), $"took {answered.Elapsed}");
        var data = message["data"]!;
        Assert.Equal(created.Id, (string?)data["agentId"]);
        Assert.Equal("gpt-4o-mini", (string?)data["model"]);
        Assert.Equal(0.000021m, (decimal)data["costUsd"]!);
        Assert.True((double)data["latencyMs"]! >= 0);

        // PII detections, circuit changes and agent state changes arrive the same way. (Other tests' events arrive too:
        // every Supervisor has its own queue and sees every event, as in production.)
        await _bus.PublishAsync(new PiiDetected(Guid.NewGuid(), "r1", created.Id, null, PiiDirection.Request,
            new Dictionary<string, int> { ["EMAIL_ADDRESS"] = 2, ["PHONE_NUMBER"] = 1 }, "redact", DateTimeOffset.UtcNow));
        var pii = await ReceiveUntilAsync(socket, m => (string?)m["type"] == "pii.detected" && (string?)m["data"]!["agentId"] == created.Id, TimeSpan.FromSeconds(1));
        Assert.Equal(2, (int)pii["data"]!["countsByType"]!["EMAIL_ADDRESS"]!);
        await _bus.PublishAsync(new CircuitStateChanged(Guid.NewGuid(), "openai", "Open", "5 failures", DateTimeOffset.UtcNow));
        var circuit = await ReceiveUntilAsync(socket, m => (string?)m["type"] == "circuit.changed" && (string?)m["data"]!["provider"] == "openai", TimeSpan.FromSeconds(1));
        Assert.Equal("Open", (string?)circuit["data"]!["state"]);

        // Two more calls in one batch, delivered twice (a redelivery): each call counts once.
        CallEvents Call(string requestId) => new(new LlmRequestCompleted(Guid.NewGuid(), requestId, created.Id, null, "mock", "gpt-4o-mini",
            20, 0, 30, 0.000021m, 5, null, false, 200, DateTimeOffset.UtcNow), null, []);
        var batch = new CallEventBatch(Guid.NewGuid(), [Call("b1"), Call("b2")], DateTimeOffset.UtcNow);
        await _bus.PublishAsync(batch);
        await _bus.PublishAsync(batch with { EventId = Guid.NewGuid() });
        await ReceiveUntilAsync(socket, m => (string?)m["type"] == "call.completed" && (string?)m["data"]!["requestId"] == "b2", TimeSpan.FromSeconds(5));
        await Task.Delay(500);

        var view = await admin.AgentAsync(created.Id);
        Assert.Equal(3, view.Requests);
        Assert.Equal(2, view.PiiByType["EMAIL_ADDRESS"]);
        var activity = await admin.GetFromJsonAsync<JsonObject>("/v1/activity");
        Assert.Contains(activity!["circuits"]!.AsArray(), c => (string?)c!["provider"] == "openai" && (string?)c["state"] == "Open");

        await admin.PostAsync($"/v1/agents/{created.Id}/stop", null);
        using var delete = await admin.DeleteAsync($"/v1/agents/{created.Id}");
        var deleted = await ReceiveUntilAsync(socket, m => (string?)m["type"] == "agent.deleted" && (string?)m["data"]!["agentId"] == created.Id, TimeSpan.FromSeconds(1));
        Assert.Equal(created.Id, (string?)deleted["data"]!["agentId"]);
    }

    private static async Task<JsonNode> ReceiveUntilAsync(ClientWebSocket socket, Func<JsonNode, bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var message = await ReceiveAsync(socket, deadline - DateTime.UtcNow);
            if (match(message))
            {
                return message;
            }
        }
    }

    private static async Task<JsonNode> ReceiveAsync(ClientWebSocket socket, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout > TimeSpan.Zero ? timeout : TimeSpan.FromMilliseconds(1));
        var buffer = new byte[64 * 1024];
        using var text = new MemoryStream();
        WebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer, cancel.Token);
            text.Write(buffer, 0, result.Count);
        }
        while (!result.EndOfMessage);
        return JsonNode.Parse(Encoding.UTF8.GetString(text.ToArray()))!;
    }
}
