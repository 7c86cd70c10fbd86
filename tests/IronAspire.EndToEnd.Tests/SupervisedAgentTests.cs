using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace IronAspire.EndToEnd.Tests;

/// <summary>
/// The whole chain for real: the Supervisor runs the Python sample agent, whose plain HTTP calls go through the
/// Router to the MockProvider and are budgeted by the Budget service; when the budget cannot pay for the agent's next
/// call, the Budget service's BudgetExhausted event makes the Supervisor stop the agent.
/// </summary>
[Collection(IronAspireAppCollection.Name)]
public class SupervisedAgentTests(IronAspireAppFixture fixture)
{
    [Fact]
    public async Task A_python_agent_under_supervision_is_stopped_as_BudgetExhausted_when_its_budget_runs_out()
    {
        var script = Path.Combine(IronAspire.Testing.RepositoryRoot.Find(), "samples", "python", "agent.py");
        using var supervisor = fixture.App.CreateHttpClient("agent-supervisor");
        supervisor.DefaultRequestHeaders.Authorization = new("Bearer", fixture.AdminKey);

        // A typical call costs ~0.00003 USD and reserves ~0.00008: this budget pays for a handful.
        using var created = await supervisor.PostAsJsonAsync("/v1/agents", new
        {
            name = "e2e-python-" + Guid.NewGuid().ToString("N")[..6],
            // The bare name: the Supervisor resolves it for the unprivileged user agents run as (a python3 under
            // root's home, as pyenv installs it, is not one that user can run).
            command = "python3",
            args = new[] { script },
            env = new Dictionary<string, string> { ["AGENT_INTERVAL"] = "0.1" },
            budgetUsd = 0.0002m,
            restart = "never",
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();

        JsonObject agent = null!;
        for (var i = 0; i < 600; i++)
        {
            agent = (await supervisor.GetFromJsonAsync<JsonObject>($"/v1/agents/{id}"))!;
            if (agent["state"]!.GetValue<string>() == "BudgetExhausted")
            {
                break;
            }

            await Task.Delay(100);
        }

        Assert.Equal("BudgetExhausted", agent["state"]!.GetValue<string>());
        Assert.True(agent["requests"]!.GetValue<long>() >= 3, "the agent's calls were attributed to it");
        var spent = agent["budget"]!["spent"]!.GetValue<decimal>();
        Assert.True(spent is > 0.0001m and <= 0.0002m, $"spent {spent}: most of the budget, never more");
        var pid = agent["pid"]?.GetValue<int?>();
        Assert.True(pid is null || !Directory.Exists($"/proc/{pid}"), "the agent process is gone");
    }
}
