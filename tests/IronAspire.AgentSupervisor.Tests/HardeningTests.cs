using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IronAspire.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace IronAspire.AgentSupervisor.Tests;

/// <summary>Issue 13 on the Supervisor: input PostgreSQL or the Budget service cannot take is a 400 before anything is
/// created, and a stalled Budget service does not stall the agent list.</summary>
[Collection(RedisPauseCollection.Name)]
public sealed class HardeningTests(SupervisorFixture fixture) : IClassFixture<SupervisorFixture>
{
    private readonly SupervisorFactory _factory = fixture.Factory;

    [Theory]
    [InlineData("""{"name":"a\u0000b","budgetUsd":1}""", "name")]
    [InlineData("""{"name":"bell\u0007","budgetUsd":1}""", "name")]
    [InlineData("""{"name":"a","budgetUsd":1,"env":{"K":"v\u0000"}}""", "env")]
    // An unpaired surrogate fails JSON binding itself: a 400 ProblemDetails without per-field errors.
    [InlineData("""{"name":"a","budgetUsd":1,"command":"sleep","args":["\ud800"]}""", null)]
    [InlineData("""{"name":"a","name":"b","budgetUsd":1}""", null)]
    public async Task Names_and_values_postgres_cannot_store_are_400s_and_create_nothing(string body, string? field)
    {
        using var admin = _factory.Admin();
        var before = (await admin.GetFromJsonAsync<JsonArray>("/v1/agents"))!.Count;

        using var response = await admin.PostAsync("/v1/agents", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var problem = (await response.Content.ReadFromJsonAsync<JsonObject>())!;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(400, problem["status"]!.GetValue<int>());
        if (field is not null)
        {
            Assert.NotNull(problem["errors"]![field]);
        }

        Assert.Equal(before, (await admin.GetFromJsonAsync<JsonArray>("/v1/agents"))!.Count);
    }

    [Fact]
    public async Task A_limit_the_budget_service_refuses_is_a_400_not_a_503()
    {
        using var admin = _factory.Admin();
        // More than 9 decimals: the Supervisor's own checks pass it, the Budget service (nano-USD) refuses it.
        using var create = await admin.PostAsJsonAsync("/v1/agents", new { name = "too-precise", budgetUsd = 0.0000000001m });
        Assert.Equal(HttpStatusCode.BadRequest, create.StatusCode);
        Assert.Contains("limitUsd", await create.Content.ReadAsStringAsync());

        var agent = await admin.CreateAgentAsync(new { name = "precise-later", budgetUsd = 1 });
        using var put = await admin.PutAsJsonAsync($"/v1/agents/{agent.Id}/budget", new { budgetUsd = 1.0000000001m });
        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
    }

    [Fact]
    public async Task With_the_budget_service_stalled_the_agent_list_answers_quickly_with_budget_null()
    {
        using var admin = _factory.Admin();
        var agent = await admin.CreateAgentAsync(new { name = "stalled-budget", budgetUsd = 1 });

        // Redis frozen: the Budget service's reads hang (and retry) instead of failing.
        await BackingServers.PauseRedisAsync();
        JsonArray list;
        var watch = Stopwatch.StartNew();
        try
        {
            list = (await admin.GetFromJsonAsync<JsonArray>("/v1/agents"))!;
        }
        finally
        {
            await BackingServers.ResumeRedisAsync();
        }

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(6), $"GET /v1/agents took {watch.Elapsed}");
        var view = list.Single(a => a!["id"]!.GetValue<string>() == agent.Id)!;
        Assert.True(view.AsObject().ContainsKey("budget"));
        Assert.Null(view["budget"]);
    }

    [Fact]
    public async Task A_command_the_agent_user_cannot_reach_is_a_400()
    {
        // Executable, but inside a folder only root may enter (as pyenv's shims under /root are).
        var folder = Path.Combine(Path.GetTempPath(), "ironaspire-private-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var command = Path.Combine(folder, "tool.sh");
        File.WriteAllText(command, "#!/bin/sh\necho hi\n");
        File.SetUnixFileMode(command, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.OtherExecute | UnixFileMode.OtherRead);
        try
        {
            using var admin = _factory.Admin();
            using var response = await admin.PostAsJsonAsync("/v1/agents", new { name = "unreachable", command, budgetUsd = 1 });
            var problem = (await response.Content.ReadFromJsonAsync<JsonObject>())!;

            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.NotNull(problem["errors"]!["command"]);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task An_agent_runs_as_another_user_and_cannot_read_the_supervisors_environment_or_files()
    {
        using var admin = _factory.Admin();
        const string Probe = """
            cat /proc/$1/environ >/dev/null 2>&1 && echo "environ readable" || echo "environ denied"
            echo "uid $(id -u)"
            echo "secrets $(env | grep -c -E 'IRONASPIRE_ADMIN_KEY|IRONASPIRE_SERVICE_KEY|ConnectionStrings')"
            echo "home $HOME"
            echo "pwd $(pwd)"
            ls "$2" >/dev/null 2>&1 && echo "logs readable" || echo "logs denied"
            """;
        var logDirectory = _factory.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<SupervisorOptions>>().Value.LogDirectory;
        var created = await admin.CreateAgentAsync(new
        {
            name = "prober", command = "bash", budgetUsd = 1,
            args = new[] { "-c", Probe, "probe", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), logDirectory },
        });
        await admin.WaitForAsync(created.Id, a => a.State is "Exited" or "Failed");
        string[] lines = [];
        for (var i = 0; i < 50 && lines.Length < 6; i++)
        {
            lines = (await admin.LogsAsync(created.Id)).Select(l => l.Text).ToArray();
            await Task.Delay(100);
        }

        Assert.Contains("environ denied", lines);
        Assert.Contains("logs denied", lines);
        Assert.Contains("secrets 0", lines);
        var uid = lines.Single(l => l.StartsWith("uid ", StringComparison.Ordinal));
        Assert.NotEqual("uid 0", uid);
        var home = lines.Single(l => l.StartsWith("home ", StringComparison.Ordinal))[5..];
        Assert.Equal("pwd " + home, lines.Single(l => l.StartsWith("pwd ", StringComparison.Ordinal)));
        Assert.EndsWith(created.Id, home);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(home));
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RedisPauseCollection
{
    public const string Name = "Redis pauses";
}
