using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace IronAspire.AppHost.Lifecycle;

/// <summary>
/// Starts samples/python/agent.py under the Supervisor once the app is up, so a new user sees calls, spend and PII
/// counts move on the console at once. The agent is created on the first run and started again on later runs (its
/// state lives in PostgreSQL). Off with <c>--AppHost:SampleAgent=false</c>, or when python3 is not installed.
/// </summary>
internal sealed class SampleAgent(string repositoryRoot, ILogger<SampleAgent> logger)
{
    public const string Name = "sample-agent";

    public async Task StartAsync(Uri supervisorUrl, string adminKey, CancellationToken cancellationToken)
    {
        var script = Path.Combine(repositoryRoot, "samples", "python", "agent.py");
        var python = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, "python3")).FirstOrDefault(File.Exists);
        if (!File.Exists(script) || python is null)
        {
            logger.LogInformation("Sample agent not started: python3 or samples/python/agent.py is missing.");
            return;
        }

        using var supervisor = new HttpClient { BaseAddress = supervisorUrl };
        supervisor.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", adminKey);
        var agents = await supervisor.GetFromJsonAsync<JsonArray>("/v1/agents", cancellationToken) ?? [];
        var existing = agents.FirstOrDefault(a => a?["name"]?.GetValue<string>() == Name);
        if (existing is null)
        {
            using var created = await supervisor.PostAsJsonAsync("/v1/agents", new
            {
                name = Name,
                // The bare name: the Supervisor resolves it on PATH for the user agents run as (docs/security.md).
                command = "python3",
                args = new[] { script },
                env = new Dictionary<string, string> { ["AGENT_INTERVAL"] = "2" },
                budgetUsd = 0.01m,
                restart = "on-failure",
                maxRestarts = 3,
            }, cancellationToken);
            logger.LogInformation("Sample agent: {Outcome}", created.IsSuccessStatusCode
                ? "created and started"
                : "could not be created: " + await created.Content.ReadAsStringAsync(cancellationToken));
            return;
        }

        if (existing["state"]?.GetValue<string>() != "Running")
        {
            using var started = await supervisor.PostAsync($"/v1/agents/{existing["id"]!.GetValue<string>()}/start", null, cancellationToken);
            logger.LogInformation("Sample agent: {Outcome}", started.IsSuccessStatusCode
                ? "started again"
                : "not started: " + await started.Content.ReadAsStringAsync(cancellationToken));
        }
    }
}
