using Aspire.Hosting.ApplicationModel;
using IronAspire.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace IronAspire.Deploy.Tests;

/// <summary>
/// The deployment and the local run cannot drift: every variable the AppHost gives a service when it runs the app here
/// (read from what DCP started the process with) is set in that service's Deployment.
/// </summary>
[Collection(PublishedDeployment.Collection)]
public class LocalRunDriftTests(PublishedDeployment deployment)
{
    /// <summary>
    /// What only a local run has, and why the Deployment leaves it out (docs/deploy.md): the listening address (the
    /// Deployment says HTTP_PORTS), the Aspire dashboard's OTLP key and its short export intervals for a live view, and
    /// development settings a cluster must not get (prompts and URL query strings in traces, console colours).
    /// </summary>
    private static readonly Dictionary<string, string> LocalOnly = new()
    {
        ["ASPNETCORE_URLS"] = "HTTP_PORTS says where to listen",
        ["OTEL_EXPORTER_OTLP_HEADERS"] = "the dashboard's API key; a collector in the cluster needs none",
        ["OTEL_BLRP_SCHEDULE_DELAY"] = "the SDK's default batching",
        ["OTEL_BSP_SCHEDULE_DELAY"] = "the SDK's default batching",
        ["OTEL_METRIC_EXPORT_INTERVAL"] = "the SDK's default interval",
        ["OTEL_METRICS_EXEMPLAR_FILTER"] = "the SDK's default",
        ["OTEL_TRACES_SAMPLER"] = "the SDK's default sampler (parent-based, always on)",
        ["OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"] = "prompts and completions stay out of traces",
        ["OTEL_DOTNET_EXPERIMENTAL_ASPNETCORE_DISABLE_URL_QUERY_REDACTION"] = "query strings stay redacted in traces",
        ["OTEL_DOTNET_EXPERIMENTAL_HTTPCLIENT_DISABLE_URL_QUERY_REDACTION"] = "query strings stay redacted in traces",
        ["DOTNET_SYSTEM_CONSOLE_ALLOW_ANSI_COLOR_REDIRECTION"] = "no colour codes in a collector's log lines",
    };

    [Fact]
    public async Task Every_variable_the_AppHost_injects_locally_is_in_the_services_Deployment()
    {
        await using var app = await IronAspireApp.StartAsync();
        var model = app.App.Services.GetRequiredService<DistributedApplicationModel>();
        var localOnlySeen = new HashSet<string>();
        var checkedNames = 0;
        var drift = new List<string>();
        var demoAdds = PublishedDeployment.Documents(deployment.PublishedFiles[Path.Combine("overlays", "demo", "demo-services.yaml")])
            .ToDictionary(p => (string)p["metadata"]!["name"]!, p => PublishedDeployment.Env(p).Select(e => (string)e["name"]!).ToHashSet());
        foreach (var project in model.Resources.OfType<ProjectResource>())
        {
            var started = await app.App.ResourceNotifications.WaitForResourceAsync(project.Name,
                e => e.Snapshot.EnvironmentVariables.Any(v => v.IsFromSpec));
            var local = started.Snapshot.EnvironmentVariables.Where(v => v.IsFromSpec).Select(v => v.Name).ToHashSet();
            // What Aspire carries over from the machine (SSL_CERT_DIR, when the shell has one) is the machine's, not the model's.
            local.RemoveWhere(name => Environment.GetEnvironmentVariable(name) is not null);
            if (project.Name == "router")
            {
                // The kinds the comparison must cover: connection strings, service references, settings.
                Assert.Superset(new HashSet<string> { "ConnectionStrings__cache", "services__budget__http__0", "Budget__DefaultAgentLimitUsd", "IRONASPIRE_ADMIN_KEY" }, local);
            }

            // The demo overlay is the local run's counterpart (it has the MockProvider, as a local run without provider keys).
            localOnlySeen.UnionWith(local.Intersect(LocalOnly.Keys));
            var missing = local.Except(EnvNames("demo", project.Name)).Except(LocalOnly.Keys).Order().ToList();
            if (missing.Count > 0)
            {
                drift.Add($"{project.Name}: the local run sets {string.Join(", ", missing)}, its demo Deployment does not");
            }

            // prod lacks exactly what the demo overlay adds for the MockProvider.
            if (deployment.Find("prod", "Deployment", project.Name) is not null)
            {
                var notInProd = local.Except(EnvNames("prod", project.Name)).Except(LocalOnly.Keys).Except(demoAdds.GetValueOrDefault(project.Name, [])).Order().ToList();
                if (notInProd.Count > 0)
                {
                    drift.Add($"{project.Name}: the local run sets {string.Join(", ", notInProd)}, its prod Deployment does not");
                }
            }

            checkedNames += local.Count;
        }

        Assert.True(drift.Count == 0, string.Join('\n', drift));
        Assert.True(checkedNames > 100, $"only {checkedNames} variables were compared");
        // Every exception above is real: a name the local run no longer sets leaves the list.
        Assert.Equal(LocalOnly.Keys.Order(), localOnlySeen.Order());
    }

    private HashSet<string> EnvNames(string overlay, string service) =>
        PublishedDeployment.Env(deployment.Get(overlay, "Deployment", service)).Select(e => (string)e["name"]!).ToHashSet();
}
