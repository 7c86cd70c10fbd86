using System.Text.Json.Nodes;
using System.Xml.Linq;
using static IronAspire.Deploy.Tests.PublishedDeployment;

namespace IronAspire.Deploy.Tests;

/// <summary>What the issue asks of the generated deployment, overlay by overlay.</summary>
[Collection(PublishedDeployment.Collection)]
public class DeploymentShapeTests(PublishedDeployment deployment)
{
    private static readonly string[] Services = ["router", "budget", "safety", "analytics", "agent-supervisor"];
    private static readonly string[] Servers = ["cache", "postgres", "messaging"];

    /// <summary>Who may connect to whom: the model's references (the Router and the Supervisor are open to all).</summary>
    private static readonly Dictionary<string, string[]> AllowedClients = new()
    {
        ["budget"] = ["agent-supervisor", "router"],
        ["analytics"] = ["agent-supervisor"],
        ["safety"] = [],
        ["cache"] = ["agent-supervisor", "budget", "router", "safety"],
        ["postgres"] = ["agent-supervisor", "analytics", "budget"],
        ["messaging"] = ["agent-supervisor", "analytics", "budget", "router"],
        ["mock-provider"] = ["router"],
    };

    private static int Int(JsonNode? node) => int.Parse(node!.ToString(), System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void The_publish_writes_base_and_the_three_overlays_with_a_Deployment_and_a_Service_per_service_and_the_mock_provider_only_in_demo()
    {
        Assert.Contains(Path.Combine("base", "kustomization.yaml"), deployment.PublishedFiles.Keys);
        foreach (var overlay in Overlays)
        {
            Assert.Contains(Path.Combine("overlays", overlay, "kustomization.yaml"), deployment.PublishedFiles.Keys);
            foreach (var service in Services)
            {
                deployment.Get(overlay, "Deployment", service);
                Assert.Equal(8080, Int(deployment.Get(overlay, "Service", service)["spec"]!["ports"]![0]!["port"]));
            }

            Assert.Equal(overlay == "demo", deployment.Find(overlay, "Deployment", "mock-provider") is not null);
            Assert.Equal(overlay == "demo", Env(deployment.Get(overlay, "Deployment", "router")).Any(e => (string?)e["name"] == "services__mock-provider__http__0"));
        }
    }

    [Fact]
    public void Services_reach_each_other_and_the_servers_by_their_in_cluster_names_and_export_telemetry_to_the_collector()
    {
        var router = Env(deployment.Get("demo", "Deployment", "router")).ToDictionary(e => (string)e["name"]!);
        Assert.Equal("http://budget:8080", (string?)router["services__budget__http__0"]["value"]);
        Assert.Equal("http://mock-provider:8080", (string?)router["services__mock-provider__http__0"]["value"]);
        Assert.Equal("cache:6379,password=$(IRONASPIRE_SECRET_CACHE_PASSWORD)", (string?)router["ConnectionStrings__cache"]["value"]);
        Assert.Equal("amqp://guest:$(IRONASPIRE_SECRET_MESSAGING_PASSWORD)@messaging:5672", (string?)router["ConnectionStrings__messaging"]["value"]);
        Assert.Equal("8080", (string?)router["HTTP_PORTS"]["value"]);
        Assert.Equal("router", (string?)router["OTEL_SERVICE_NAME"]["value"]);
        var collector = router["OTEL_EXPORTER_OTLP_ENDPOINT"]["valueFrom"]!["configMapKeyRef"]!;
        var telemetry = deployment.OfKind("demo", "ConfigMap").Single(c => (string)c["metadata"]!["name"]! == (string)collector["name"]!);
        Assert.Equal("http://otel-collector:4317", (string?)telemetry["data"]!["OTEL_EXPORTER_OTLP_ENDPOINT"]);

        var budget = Env(deployment.Get("prod", "Deployment", "budget")).ToDictionary(e => (string)e["name"]!);
        Assert.Equal("Host=postgres;Port=5432;Username=postgres;Password=$(IRONASPIRE_SECRET_POSTGRES_PASSWORD);Database=budgetdb",
            (string?)budget["ConnectionStrings__budgetdb"]["value"]);
        // A composed value can only name variables defined before it.
        var names = Env(deployment.Get("prod", "Deployment", "budget")).Select(e => (string)e["name"]!).ToList();
        Assert.True(names.IndexOf("IRONASPIRE_SECRET_POSTGRES_PASSWORD") < names.IndexOf("ConnectionStrings__budgetdb"));
    }

    [Fact]
    public void Every_secret_comes_from_a_generated_Secret_and_no_secret_is_in_any_published_file()
    {
        foreach (var (path, content) in deployment.PublishedFiles)
        {
            Assert.DoesNotContain(AdminKeyInEnvironment, content);
            Assert.DoesNotContain(ProviderKeyInEnvironment, content);
            Assert.DoesNotContain("kind: Secret", content); // Secrets exist only through the overlays' secretGenerators
            Assert.False(path.Contains($"{Path.DirectorySeparatorChar}secrets{Path.DirectorySeparatorChar}", StringComparison.Ordinal), path);
        }

        Assert.Contains("overlays/*/secrets/", deployment.PublishedFiles[".gitignore"]);
        foreach (var overlay in Overlays)
        {
            foreach (var env in deployment.OfKind(overlay, "Deployment").Concat(deployment.OfKind(overlay, "StatefulSet")).SelectMany(Env))
            {
                var name = (string)env["name"]!;
                if (name.EndsWith("KEY", StringComparison.Ordinal) || name.EndsWith("PASSWORD", StringComparison.Ordinal))
                {
                    Assert.True(env["valueFrom"]?["secretKeyRef"] is not null, $"{overlay}: {name} is not read from a Secret");
                }
            }
        }
    }

    [Fact]
    public void The_servers_are_StatefulSets_with_volumes_Redis_keeps_an_append_only_file_and_the_databases_are_created()
    {
        foreach (var server in Servers)
        {
            var set = deployment.Get("prod", "StatefulSet", server);
            var claim = set["spec"]!["volumeClaimTemplates"]![0]!;
            var mount = Container(set)["volumeMounts"]!.AsArray().Single(m => (string?)m!["name"] == (string?)claim["metadata"]!["name"]);
            Assert.NotNull(mount);
        }

        var redis = Container(deployment.Get("prod", "StatefulSet", "cache"));
        var command = string.Join(' ', redis["command"]!.AsArray().Select(a => (string?)a));
        Assert.Contains("--appendonly yes", command);
        Assert.Contains("--dir /data", command);
        Assert.Contains(redis["volumeMounts"]!.AsArray(), m => (string?)m!["mountPath"] == "/data");

        var init = deployment.Get("prod", "ConfigMap", "postgres-init");
        Assert.Equal("CREATE DATABASE \"budgetdb\";\nCREATE DATABASE \"analyticsdb\";\nCREATE DATABASE \"supervisordb\";\n",
            (string?)init["data"]!["create-databases.sql"]);
    }

    [Fact]
    public void The_external_overlay_drops_the_servers_and_reads_every_connection_string_from_a_Secret()
    {
        foreach (var server in Servers)
        {
            Assert.Null(deployment.Find("external", "StatefulSet", server));
            Assert.Null(deployment.Find("external", "Service", server));
            Assert.Null(deployment.Find("external", "NetworkPolicy", server + "-ingress"));
        }

        Assert.Empty(deployment.OfKind("external", "StatefulSet"));
        foreach (var service in Services)
        {
            foreach (var env in Env(deployment.Get("external", "Deployment", service)))
            {
                var name = (string)env["name"]!;
                Assert.DoesNotContain("IRONASPIRE_SECRET_", name);
                Assert.DoesNotContain("cache:6379", env.ToJsonString());
                if (name.StartsWith("ConnectionStrings__", StringComparison.Ordinal))
                {
                    Assert.Null(env["value"]);
                    Assert.StartsWith("ironaspire-connections-", (string?)env["valueFrom"]!["secretKeyRef"]!["name"]);
                    Assert.Equal(name["ConnectionStrings__".Length..], (string?)env["valueFrom"]!["secretKeyRef"]!["key"]);
                }
            }
        }
    }

    [Fact]
    public void The_Router_scales_on_CPU_with_a_disruption_budget_and_two_replicas_at_least_in_prod_while_the_Supervisor_stays_single()
    {
        foreach (var overlay in Overlays)
        {
            var minimum = overlay == "demo" ? 1 : 2;
            Assert.Equal(minimum, Int(deployment.Get(overlay, "Deployment", "router")["spec"]!["replicas"]));
            var scaler = deployment.Get(overlay, "HorizontalPodAutoscaler", "router")["spec"]!;
            Assert.Equal(minimum, Int(scaler["minReplicas"]));
            Assert.True(Int(scaler["maxReplicas"]) >= 2 * minimum);
            Assert.Equal("cpu", (string?)scaler["metrics"]![0]!["resource"]!["name"]);
            var budget = deployment.Get(overlay, "PodDisruptionBudget", "router")["spec"]!.AsObject();
            Assert.Equal(overlay == "demo" ? "maxUnavailable" : "minAvailable", Assert.Single(budget, p => p.Key is "minAvailable" or "maxUnavailable").Key);

            var supervisor = deployment.Get(overlay, "Deployment", "agent-supervisor");
            Assert.Equal(1, Int(supervisor["spec"]!["replicas"]));
            Assert.Equal("Recreate", (string?)supervisor["spec"]!["strategy"]!["type"]);
            Assert.Null(deployment.Find(overlay, "HorizontalPodAutoscaler", "agent-supervisor"));
        }

        // The providers of a real deployment come from the operator's env file, through a Secret.
        Assert.StartsWith("router-providers-", (string?)Container(deployment.Get("prod", "Deployment", "router"))["envFrom"]![0]!["secretRef"]!["name"]);
    }

    [Fact]
    public void Only_the_Router_and_the_Supervisor_are_open_every_other_workload_admits_only_the_services_that_use_it()
    {
        foreach (var overlay in Overlays)
        {
            var policies = deployment.OfKind(overlay, "NetworkPolicy").ToDictionary(p => (string)p["metadata"]!["name"]!);
            var deny = policies["default-deny-ingress"]["spec"]!;
            Assert.Equal("ironaspire", (string?)deny["podSelector"]!["matchLabels"]!["app.kubernetes.io/part-of"]);
            Assert.Null(deny["ingress"]);

            foreach (var open in new[] { "router", "agent-supervisor" })
            {
                var rule = Assert.Single(policies[open + "-ingress"]["spec"]!["ingress"]!.AsArray())!;
                Assert.Null(rule["from"]);
            }

            foreach (var (name, clients) in AllowedClients)
            {
                var present = overlay switch
                {
                    "demo" => true,
                    "prod" => name != "mock-provider",
                    _ => name != "mock-provider" && !Servers.Contains(name),
                };
                if (!present)
                {
                    Assert.False(policies.ContainsKey(name + "-ingress"), $"{overlay}: {name}");
                    continue;
                }

                var from = policies[name + "-ingress"]["spec"]!["ingress"]!.AsArray()
                    .SelectMany(r => r!["from"]!.AsArray()).Select(p => (string)p!["podSelector"]!["matchLabels"]!["app.kubernetes.io/name"]!);
                Assert.Equal(clients, from.Order(StringComparer.Ordinal));
            }
        }
    }

    [Fact]
    public void Images_are_the_registry_and_tag_given_to_the_publish_and_each_service_project_builds_that_repository()
    {
        foreach (var service in Services.Append("mock-provider"))
        {
            Assert.Equal($"{Registry}/{service}:{Tag}", (string?)Container(deployment.Get("demo", "Deployment", service))["image"]);
        }

        var projects = new Dictionary<string, string>
        {
            ["router"] = "IronAspire.Router", ["budget"] = "IronAspire.Budget", ["safety"] = "IronAspire.Safety",
            ["analytics"] = "IronAspire.Analytics", ["agent-supervisor"] = "IronAspire.AgentSupervisor", ["mock-provider"] = "IronAspire.MockProvider",
        };
        foreach (var (service, project) in projects)
        {
            var csproj = XDocument.Load(Path.Combine(deployment.Repository, "services", project, project + ".csproj"));
            Assert.Equal(service, csproj.Descendants("ContainerRepository").Single().Value);
        }
    }

    [Fact]
    public void The_Aspire_manifest_is_published_beside_with_container_resources_for_the_servers()
    {
        var manifest = JsonNode.Parse(deployment.PublishedFiles["aspire-manifest.json"])!["resources"]!;
        foreach (var server in Servers)
        {
            Assert.Equal("container.v0", (string?)manifest[server]!["type"]);
        }

        foreach (var service in Services)
        {
            Assert.Equal("project.v0", (string?)manifest[service]!["type"]);
        }

        Assert.True((bool)manifest["router"]!["bindings"]!["http"]!["external"]!);
        Assert.Null(manifest["router"]!["env"]!["Router__Providers__0__ApiKey"]);
    }
}
