using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using IronAspire.AgentSupervisor.Apis;
using IronAspire.Contracts.Agents;
using IronAspire.Contracts.Events;
using StackExchange.Redis;

namespace IronAspire.AgentSupervisor.Tests;

/// <summary>
/// The control API behind every console action: restart, models, key rotation, budget period, live output, alerts and
/// the Analytics passthrough. Real Budget service, Redis, PostgreSQL and RabbitMQ; the FakeRouter checks keys as the Router does.
/// </summary>
public sealed class ConsoleOperationsTests : IAsyncLifetime
{
    private SupervisorFactory _factory = null!;
    private TestBus _bus = null!;
    private FakeRouter _router = null!;
    private IConnectionMultiplexer _redis = null!;

    private static string Script(string name) => Path.Combine(AppContext.BaseDirectory, "scripts", name);

    private RoutedSupervisor _app = null!;

    public async Task InitializeAsync()
    {
        _app = await RoutedSupervisor.StartAsync();
        (_factory, _router, _bus, _redis) = (_app.Supervisor, _app.Router, _app.Bus, _app.Redis);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Rotating_the_key_gives_a_new_key_once_and_the_router_refuses_the_old_one()
    {
        using var admin = _factory.Admin();
        var agent = await admin.CreateAgentAsync(new { name = "rotating", budgetUsd = 1m });
        Assert.Equal(HttpStatusCode.OK, (await Call(agent.ApiKey)).StatusCode);

        using var rotated = await admin.PostAsync($"/v1/agents/{agent.Id}/key", null);
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        var key = (await rotated.Content.ReadFromJsonAsync<RotatedKey>(AgentApiExtensions.Json))!;
        Assert.Equal(agent.Id, key.Id);
        Assert.NotEqual(agent.ApiKey, key.ApiKey);

        Assert.Equal(HttpStatusCode.Unauthorized, (await Call(agent.ApiKey)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Call(key.ApiKey)).StatusCode);
        Assert.Equal(agent.Id, (string?)await _redis.GetDatabase().HashGetAsync(AgentKeyFormat.RedisKey(key.ApiKey), AgentKeyFormat.AgentIdField));
        Assert.False(await _redis.GetDatabase().KeyExistsAsync(AgentKeyFormat.RedisKey(agent.ApiKey)));
        // The new key is never shown again.
        Assert.DoesNotContain(key.ApiKey, await admin.GetStringAsync($"/v1/agents/{agent.Id}"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync("/v1/agents/agt-nope/key", null)).StatusCode);
    }

    [Fact]
    public async Task Models_are_replaced_on_the_keys_the_router_reads_and_bad_lists_get_a_400()
    {
        using var admin = _factory.Admin();
        var agent = await admin.CreateAgentAsync(new { name = "models", budgetUsd = 1m, models = new[] { "gpt-4o-mini" } });

        using var changed = await admin.PutAsJsonAsync($"/v1/agents/{agent.Id}/models", new { models = new[] { "claude-*", "gpt-4o" } });
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal(["claude-*", "gpt-4o"], (await changed.Content.ReadFromJsonAsync<AgentView>(AgentApiExtensions.Json))!.Models);
        var stored = (string?)await _redis.GetDatabase().HashGetAsync(AgentKeyFormat.RedisKey(agent.ApiKey), AgentKeyFormat.ModelsField);
        Assert.Equal(AgentKeyFormat.FormatModels(["claude-*", "gpt-4o"]), stored);

        using var cleared = await admin.PutAsJsonAsync($"/v1/agents/{agent.Id}/models", new { models = Array.Empty<string>() });
        Assert.Empty((await cleared.Content.ReadFromJsonAsync<AgentView>(AgentApiExtensions.Json))!.Models);
        Assert.False(await _redis.GetDatabase().HashExistsAsync(AgentKeyFormat.RedisKey(agent.ApiKey), AgentKeyFormat.ModelsField));

        foreach (var bad in new object[] { new { models = new[] { "gpt 4o" } }, new { other = 1 } })
        {
            using var refused = await admin.PutAsJsonAsync($"/v1/agents/{agent.Id}/models", bad);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains("models", (await refused.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject().Select(e => e.Key));
        }
    }

    [Fact]
    public async Task Budget_period_is_set_at_creation_kept_when_the_limit_changes_and_validated()
    {
        using var admin = _factory.Admin();
        var agent = await admin.CreateAgentAsync(new { name = "daily", budgetUsd = 1m, budgetPeriod = "daily" });
        Assert.Equal("daily", (await admin.AgentAsync(agent.Id)).Budget!.Period);

        using var raised = await admin.PutAsJsonAsync($"/v1/agents/{agent.Id}/budget", new { budgetUsd = 3m });
        var budget = (await raised.Content.ReadFromJsonAsync<BudgetView>(AgentApiExtensions.Json))!;
        Assert.Equal((3m, "daily"), (budget.Limit, budget.Period));

        using var monthly = await admin.PutAsJsonAsync($"/v1/agents/{agent.Id}/budget", new { budgetUsd = 4m, period = "monthly" });
        Assert.Equal("monthly", (await monthly.Content.ReadFromJsonAsync<BudgetView>(AgentApiExtensions.Json))!.Period);

        using var badCreate = await admin.PostAsJsonAsync("/v1/agents", new { name = "x", budgetUsd = 1m, budgetPeriod = "weekly" });
        Assert.Equal(HttpStatusCode.BadRequest, badCreate.StatusCode);
        Assert.Contains("budgetPeriod", await badCreate.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var badSet = await admin.PutAsJsonAsync($"/v1/agents/{agent.Id}/budget", new { budgetUsd = 1m, period = "hourly" });
        Assert.Equal(HttpStatusCode.BadRequest, badSet.StatusCode);
    }

    [Fact]
    public async Task Restart_gives_a_new_process_and_a_crash_raises_an_alert_that_stays_until_acknowledged()
    {
        using var admin = _factory.Admin();
        var agent = await admin.CreateAgentAsync(new { name = "restartable", command = "bash", args = new[] { Script("idle.sh") }, budgetUsd = 1m });
        var first = await admin.WaitForAsync(agent.Id, a => a.State == "Running");

        using var restarted = await admin.PostAsync($"/v1/agents/{agent.Id}/restart", null);
        Assert.Equal(HttpStatusCode.OK, restarted.StatusCode);
        var second = await admin.WaitForAsync(agent.Id, a => a.State == "Running");
        Assert.NotEqual(first.Pid, second.Pid);
        Assert.False(AgentApiExtensions.ProcessExists(first.Pid!.Value));
        await admin.PostAsync($"/v1/agents/{agent.Id}/stop", null);

        var external = await admin.CreateAgentAsync(new { name = "elsewhere", budgetUsd = 1m });
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsync($"/v1/agents/{external.Id}/restart", null)).StatusCode);

        var crashing = await admin.CreateAgentAsync(new { name = "crasher", command = "bash", args = new[] { Script("crash.sh") }, budgetUsd = 1m });
        await admin.WaitForAsync(crashing.Id, a => a.State == "Failed");
        var alert = await WaitForAlertAsync(admin, a => a["subject"]!.GetValue<string>() == crashing.Id);
        Assert.Equal(("AgentCrashed", "Critical"), (alert["kind"]!.GetValue<string>(), alert["severity"]!.GetValue<string>()));
        Assert.Contains("code 3", alert["detail"]!.GetValue<string>(), StringComparison.Ordinal);

        var id = alert["id"]!.GetValue<string>();
        using var acknowledged = await admin.PostAsync($"/v1/alerts/{id}/acknowledge", null);
        Assert.Equal(HttpStatusCode.OK, acknowledged.StatusCode);
        Assert.DoesNotContain((await admin.GetFromJsonAsync<JsonArray>("/v1/alerts"))!, a => a!["id"]!.GetValue<string>() == id);
        var all = (await admin.GetFromJsonAsync<JsonArray>("/v1/alerts?all=true"))!;
        Assert.NotNull(all.Single(a => a!["id"]!.GetValue<string>() == id)!["acknowledgedAt"]);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync("/v1/alerts/alr-nope/acknowledge", null)).StatusCode);
    }

    [Fact]
    public async Task Budget_thresholds_exhaustion_and_open_circuits_become_alerts_and_a_repeat_counts_on_the_open_one()
    {
        using var admin = _factory.Admin();
        var budgetId = "agt-alert-" + Guid.NewGuid().ToString("N")[..8];
        var provider = "prov-" + Guid.NewGuid().ToString("N")[..8];
        // The newer crossing is published first: consumed in either order, the notice shows the newer one.
        var now = DateTimeOffset.UtcNow;
        await _bus.PublishAsync(new BudgetThresholdCrossed(Guid.NewGuid(), BudgetScope.Agent, budgetId, 80, 0.81m, 1m, "lifetime", now));
        await _bus.PublishAsync(new BudgetThresholdCrossed(Guid.NewGuid(), BudgetScope.Agent, budgetId, 80, 0.8m, 1m, "lifetime", now.AddMinutes(-1)));
        await _bus.PublishAsync(new BudgetExhausted(Guid.NewGuid(), BudgetScope.Agent, budgetId, 1m, 1m, "lifetime", DateTimeOffset.UtcNow));
        await _bus.PublishAsync(new CircuitStateChanged(Guid.NewGuid(), provider, "Closed", null, DateTimeOffset.UtcNow));
        await _bus.PublishAsync(new CircuitStateChanged(Guid.NewGuid(), provider, "Open", "5 consecutive failures", DateTimeOffset.UtcNow));

        var threshold = await WaitForAlertAsync(admin, a => a["subject"]!.GetValue<string>() == budgetId && a["kind"]!.GetValue<string>() == "BudgetThreshold"
            && a["count"]!.GetValue<int>() == 2);
        Assert.Equal(("80", "Warning"), (threshold["key"]!.GetValue<string>(), threshold["severity"]!.GetValue<string>()));
        Assert.Contains("0.81 of 1 USD", threshold["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(now.AddMinutes(-1), threshold["firstAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal(now, threshold["lastAt"]!.GetValue<DateTimeOffset>());
        await WaitForAlertAsync(admin, a => a["subject"]!.GetValue<string>() == budgetId && a["kind"]!.GetValue<string>() == "BudgetExhausted");
        var circuit = await WaitForAlertAsync(admin, a => a["subject"]!.GetValue<string>() == provider);
        Assert.Equal("CircuitOpen", circuit["kind"]!.GetValue<string>());
        Assert.Single((await admin.GetFromJsonAsync<JsonArray>("/v1/alerts"))!, a => a!["subject"]!.GetValue<string>() == provider);
    }

    [Fact]
    public async Task Output_streams_the_last_lines_then_new_ones_as_server_sent_events()
    {
        using var admin = _factory.Admin();
        var agent = await admin.CreateAgentAsync(new { name = "chatty", command = "bash", args = new[] { Script("chatty.sh") }, budgetUsd = 1m });
        await admin.WaitForAsync(agent.Id, a => a.State == "Running");
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((await admin.LogsAsync(agent.Id)).Count < 3 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/agents/{agent.Id}/output?tail=2");
        using var response = await admin.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        var lines = new List<LogLine>();
        while (lines.Count < 8)
        {
            var text = await reader.ReadLineAsync(timeout.Token);
            if (text is not null && text.StartsWith("data: ", StringComparison.Ordinal))
            {
                lines.Add(JsonSerializer.Deserialize<LogLine>(text[6..], AgentApiExtensions.Json)!);
            }
        }

        // Consecutive ticks: the two of the tail, then the live ones, none lost or repeated, stderr marked as such.
        var numbers = lines.Select(l => int.Parse(l.Text.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(Enumerable.Range(numbers[0], 8), numbers);
        Assert.All(lines, l => Assert.Equal(int.Parse(l.Text.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture) % 3 == 0 ? "stderr" : "stdout", l.Stream));
        await admin.PostAsync($"/v1/agents/{agent.Id}/stop", null);

        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/v1/agents/agt-nope/output")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync($"/v1/agents/{agent.Id}/output?tail=-1")).StatusCode);
        using var anonymous = _factory.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/v1/agents/{agent.Id}/output")).StatusCode);
    }

    [Fact]
    public async Task Analytics_passthrough_needs_the_admin_key_refuses_other_paths_and_is_503_without_analytics()
    {
        using var anonymous = _factory.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/v1/analytics/summary")).StatusCode);
        using var admin = _factory.Admin();
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/v1/analytics/..%2F..%2Fhealth")).StatusCode);
        // This Supervisor has no Analytics service to read from (the end-to-end tests read through a real one).
        using var unavailable = await admin.GetAsync("/v1/analytics/summary");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, unavailable.StatusCode);
        Assert.Equal("application/problem+json", unavailable.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task The_openapi_document_lists_every_console_operation()
    {
        var document = await _factory.CreateClient().GetStringAsync("/openapi/v1.json");
        foreach (var path in new[] { "/v1/agents/{id}/restart", "/v1/agents/{id}/models", "/v1/agents/{id}/key", "/v1/agents/{id}/output",
                     "/v1/alerts", "/v1/alerts/{id}/acknowledge", "/v1/analytics/{path}" })
        {
            Assert.Contains($"\"{path}\"", document, StringComparison.Ordinal);
        }
    }

    private async Task<HttpResponseMessage> Call(string key)
    {
        using var client = new HttpClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", key);
        return await client.PostAsJsonAsync(_router.BaseUrl + "/v1/chat/completions",
            new { model = "gpt-4o-mini", max_tokens = 10, messages = new[] { new { role = "user", content = "hi" } } });
    }

    private static async Task<JsonObject> WaitForAlertAsync(HttpClient admin, Func<JsonObject, bool> match)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var alerts = (await admin.GetFromJsonAsync<JsonArray>("/v1/alerts"))!;
            if (alerts.OfType<JsonObject>().FirstOrDefault(match) is { } alert)
            {
                return alert;
            }

            Assert.True(DateTime.UtcNow < deadline, "no such alert: " + alerts.ToJsonString());
            await Task.Delay(100);
        }
    }
}
