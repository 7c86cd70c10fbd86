using System.Text.Json;

namespace IronAspire.AppHost.Kubernetes;

using static KubernetesObjects;
using Node = Dictionary<string, object?>;

/// <summary>
/// The kustomize application generated from the model: <c>base/</c> (every service and server), the component
/// <c>components/production/</c> (Router scaling and real providers) and the overlays <c>demo</c> (adds the MockProvider),
/// <c>prod</c> and <c>external</c> (managed Redis/PostgreSQL/RabbitMQ from connection strings in a Secret).
/// Each file is a list of YAML documents, by path relative to the output folder.
/// </summary>
internal sealed class KustomizeApp(AppWorkloads app, KubernetesOptions options)
{
    /// <summary>Resources of the model that only the demo overlay deploys, and whatever refers to them.</summary>
    public static readonly string[] DemoOnly = ["mock-provider"];

    /// <summary>Services anyone may call, from outside the namespace too (the model marks their endpoints external).</summary>
    private readonly HashSet<string> _public = [.. app.Services.Where(s => s.IsExternal).Select(s => s.Name)];

    /// <summary>Services that keep files across restarts on a volume of their own: mount path and the setting that points there.</summary>
    private static readonly Dictionary<string, (string MountPath, string Setting, string Value, string Size)> ServiceData = new()
    {
        ["agent-supervisor"] = ("/var/lib/ironaspire", "Supervisor__LogDirectory", "/var/lib/ironaspire/agent-logs", "1Gi"),
    };

    private const string Router = "router";
    private const string ConnectionStringPrefix = "ConnectionStrings__";

    public Dictionary<string, List<Node>> Files()
    {
        var files = new Dictionary<string, List<Node>>(StringComparer.Ordinal);
        Base(files);
        Production(files);
        Demo(files);
        Prod(files);
        External(files);
        return files;
    }

    private IEnumerable<ServiceWorkload> BaseServices => app.Services.Where(s => !DemoOnly.Contains(s.Name));

    private static bool IsDemoOnly(EnvValue value) =>
        value.References.Any(r => DemoOnly.Contains(r.Name)) || DemoOnly.Contains(value.Text);

    private void Base(Dictionary<string, List<Node>> files)
    {
        var resources = new List<string>();
        foreach (var service in BaseServices)
        {
            files[$"base/{service.Name}.yaml"] = ServiceObjects(service);
            resources.Add(service.Name + ".yaml");
        }

        foreach (var server in app.Servers)
        {
            var objects = new List<Node>();
            var initScripts = server.Databases.Count > 0 ? new[] { "create-databases.sql" } : null;
            if (initScripts is not null)
            {
                // The image runs these on the first start only (an empty volume), as Aspire's AddDatabase does locally.
                objects.Add(ConfigMap(server.Name + "-init", server.Name, new Node
                {
                    ["create-databases.sql"] = string.Concat(server.Databases.Select(d => $"CREATE DATABASE \"{d}\";\n")),
                }));
            }

            objects.Add(StatefulSet(server, ContainerEnv(server, server.Environment, telemetry: false), initScripts));
            objects.Add(Service(server.Name, "tcp", server.Port, headless: true));
            files[$"base/{server.Name}.yaml"] = objects;
            resources.Add(server.Name + ".yaml");
        }

        var policies = new List<Node> { DefaultDenyIngress() };
        policies.AddRange(BaseServices.Concat<Workload>(app.Servers).Select(Policy));
        files["base/network-policies.yaml"] = policies;
        resources.Add("network-policies.yaml");

        var router = app.Services.Single(s => s.Name == Router);
        files["base/router-scaling.yaml"] =
        [
            HorizontalPodAutoscaler(Router, router.Replicas, Math.Max(router.Replicas, options.RouterMaxReplicas)),
            PodDisruptionBudget(Router),
        ];
        resources.Add("router-scaling.yaml");

        files["base/kustomization.yaml"] =
        [
            Kustomization(resources, new Node
            {
                ["configMapGenerator"] = new[]
                {
                    new Node
                    {
                        ["name"] = TelemetryName,
                        ["literals"] = new[] { "OTEL_EXPORTER_OTLP_ENDPOINT=" + options.OtlpEndpoint, "OTEL_EXPORTER_OTLP_PROTOCOL=grpc" },
                    },
                },
                ["images"] = Images(BaseServices),
            }),
        ];
    }

    /// <summary>The Router as production runs it: at least two replicas behind a PDB, providers from their own Secret.</summary>
    private void Production(Dictionary<string, List<Node>> files)
    {
        var replicas = Math.Max(2, app.Services.Single(s => s.Name == Router).Replicas);
        files["components/production/router-scaling.yaml"] =
        [
            Patch("apps/v1", "Deployment", Router, new Node { ["spec"] = new Node { ["replicas"] = replicas } }),
            Patch("autoscaling/v2", "HorizontalPodAutoscaler", Router, new Node
            {
                ["spec"] = new Node { ["minReplicas"] = replicas, ["maxReplicas"] = Math.Max(replicas, options.RouterMaxReplicas) },
            }),
            // With two replicas or more, one is always kept serving through a drain.
            Patch("policy/v1", "PodDisruptionBudget", Router, new Node { ["spec"] = new Node { ["minAvailable"] = 1, ["maxUnavailable"] = null } }),
        ];
        files["components/production/router-providers.yaml"] =
        [
            ContainerPatch(Router, new Node { ["envFrom"] = new[] { new Node { ["secretRef"] = new Node { ["name"] = ProvidersName } } } }),
        ];
        files["components/production/kustomization.yaml"] =
        [
            new Node
            {
                ["apiVersion"] = "kustomize.config.k8s.io/v1alpha1",
                ["kind"] = "Component",
                ["patches"] = new[] { new Node { ["path"] = "router-scaling.yaml" }, new Node { ["path"] = "router-providers.yaml" } },
            },
        ];
    }

    private void Demo(Dictionary<string, List<Node>> files)
    {
        var demo = app.Services.Where(s => DemoOnly.Contains(s.Name)).ToList();
        var resources = new List<string> { "../../base" };
        foreach (var service in demo)
        {
            files[$"overlays/demo/{service.Name}.yaml"] = [.. ServiceObjects(service), Policy(service)];
            resources.Add(service.Name + ".yaml");
        }

        // What the base leaves out of each service because it refers to a demo-only resource (the Router's MockProvider).
        var patches = new List<Node>();
        foreach (var service in BaseServices)
        {
            var entries = service.Environment.Where(e => IsDemoOnly(e.Value)).ToList();
            if (entries.Count > 0)
            {
                patches.Add(ContainerPatch(service.Name, new Node { ["env"] = ContainerEnv(service, entries, telemetry: false).ToList() }));
            }
        }

        files["overlays/demo/demo-services.yaml"] = patches;
        files["overlays/demo/kustomization.yaml"] =
        [
            Kustomization(resources, new Node
            {
                ["patches"] = new[] { new Node { ["path"] = "demo-services.yaml" } },
                ["images"] = Images(demo),
                ["secretGenerator"] = new[] { SecretFiles(SecretsName, app.All.SelectMany(w => w.Secrets)) },
            }),
        ];
    }

    private void Prod(Dictionary<string, List<Node>> files) =>
        files["overlays/prod/kustomization.yaml"] =
        [
            Kustomization(["../../base"], new Node
            {
                ["components"] = new[] { "../../components/production" },
                ["secretGenerator"] = new[] { SecretFiles(SecretsName, BaseWorkloads.SelectMany(w => w.Secrets)), ProvidersSecret() },
            }),
        ];

    /// <summary>Managed servers: their StatefulSets go, every service reads its connection strings from a Secret.</summary>
    private void External(Dictionary<string, List<Node>> files)
    {
        var deletions = new List<Node>();
        foreach (var server in app.Servers)
        {
            if (server.Databases.Count > 0)
            {
                deletions.Add(Delete("v1", "ConfigMap", server.Name + "-init"));
            }

            deletions.Add(Delete("apps/v1", "StatefulSet", server.Name));
            deletions.Add(Delete("v1", "Service", server.Name));
            deletions.Add(Delete("networking.k8s.io/v1", "NetworkPolicy", server.Name + "-ingress"));
        }

        var serverSecrets = app.ServerSecrets;
        var connections = new SortedSet<string>(StringComparer.Ordinal);
        var patches = new List<Node>();
        foreach (var service in BaseServices)
        {
            var env = new List<object?>();
            foreach (var (name, value) in service.Environment.Where(e => !IsDemoOnly(e.Value)))
            {
                if (!value.References.Any(r => app.IsServer(ServerOf(r))) && !value.Secrets.Overlaps(serverSecrets))
                {
                    continue;
                }

                if (name.StartsWith(ConnectionStringPrefix, StringComparison.Ordinal))
                {
                    var key = name[ConnectionStringPrefix.Length..];
                    connections.Add(key);
                    var entry = EnvFrom(name, "secretKeyRef", ConnectionsName, key);
                    entry["value"] = null; // the base composes it from the server's password: that part goes
                    env.Add(entry);
                }
                else
                {
                    // A server's host, port or password (Aspire's connection properties): meaningless for a managed server.
                    env.Add(new Node { ["name"] = name, ["$patch"] = "delete" });
                }
            }

            foreach (var secret in service.Environment.SelectMany(e => e.Value.Secrets).Distinct().Where(serverSecrets.Contains))
            {
                env.Add(new Node { ["name"] = EnvValue.VariableFor(secret), ["$patch"] = "delete" });
            }

            if (env.Count > 0)
            {
                patches.Add(ContainerPatch(service.Name, new Node { ["env"] = env }));
            }
        }

        files["overlays/external/external-connections.yaml"] = patches;
        var connectionSecret = new Node
        {
            ["name"] = ConnectionsName,
            ["files"] = connections.Select(c => $"{c}=secrets/connections/{c}").ToList(),
        };
        files["overlays/external/kustomization.yaml"] =
        [
            Kustomization(["../../base"], new Node
            {
                ["components"] = new[] { "../../components/production" },
                // One inline patch per deletion: kustomize 5.5 crashes on a file of several deleting patches.
                ["patches"] = deletions.Select(d => (object?)new Node { ["patch"] = JsonSerializer.Serialize(d) })
                    .Append(new Node { ["path"] = "external-connections.yaml" }).ToList(),
                ["secretGenerator"] = new object[]
                {
                    SecretFiles(SecretsName, BaseServices.SelectMany(w => w.Secrets).Where(s => !serverSecrets.Contains(s))),
                    connectionSecret,
                    ProvidersSecret(),
                },
            }),
        ];
    }

    private IEnumerable<Workload> BaseWorkloads => BaseServices.Concat<Workload>(app.Servers);

    private static string ServerOf(Aspire.Hosting.ApplicationModel.IResource resource) =>
        resource is Aspire.Hosting.ApplicationModel.IResourceWithParent child ? child.Parent.Name : resource.Name;

    private List<Node> ServiceObjects(ServiceWorkload service)
    {
        var objects = new List<Node>();
        Node? dataVolume = null;
        var entries = service.Environment.Where(e => !IsDemoOnly(e.Value)).ToList();
        if (ServiceData.TryGetValue(service.Name, out var data))
        {
            objects.Add(PersistentVolumeClaim(service.Name + "-data", service.Name, data.Size));
            dataVolume = new Node { ["mountPath"] = data.MountPath, ["claimName"] = service.Name + "-data" };
            entries.Add(KeyValuePair.Create(data.Setting, EnvValue.Literal(data.Value)));
        }

        var resources = service.Name == Router ? Resources.Router : Resources.Service;
        objects.Add(Deployment(service, ContainerEnv(service, entries, telemetry: true), resources, dataVolume));
        objects.Add(Service(service.Name, "http", service.Port, headless: false));
        return objects;
    }

    private Node Policy(Workload workload) =>
        IngressPolicy(workload.Name, workload.Port, _public.Contains(workload.Name) ? null : app.UsersOf(workload.Name));

    /// <summary>
    /// A container's environment: the secrets that composed values read (first, so <c>$(NAME)</c> finds them), the
    /// model's variables, and the telemetry settings the local run gets from the dashboard, here pointing at the collector.
    /// </summary>
    private static IEnumerable<object?> ContainerEnv(Workload workload, IReadOnlyList<KeyValuePair<string, EnvValue>> entries, bool telemetry)
    {
        var names = entries.Select(e => e.Key).ToHashSet(StringComparer.Ordinal);
        if (telemetry)
        {
            yield return EnvFromField("POD_NAME", "metadata.name");
        }

        foreach (var secret in entries.Where(e => e.Value.WholeSecret is null).SelectMany(e => e.Value.Secrets).Distinct(StringComparer.Ordinal))
        {
            yield return EnvFrom(EnvValue.VariableFor(secret), "secretKeyRef", SecretsName, secret);
        }

        foreach (var (name, value) in entries)
        {
            yield return value.WholeSecret is { } secret ? EnvFrom(name, "secretKeyRef", SecretsName, secret) : Env(name, value.Text);
        }

        if (!telemetry)
        {
            yield break;
        }

        foreach (var key in (string[])["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_PROTOCOL"])
        {
            if (!names.Contains(key))
            {
                yield return EnvFrom(key, "configMapKeyRef", TelemetryName, key);
            }
        }

        // One JSON object per log line, what a cluster's log collector parses (the local run's console is the dashboard's).
        if (!names.Contains("LOGGING__CONSOLE__FORMATTERNAME"))
        {
            yield return Env("LOGGING__CONSOLE__FORMATTERNAME", "json");
        }

        if (!names.Contains("OTEL_SERVICE_NAME"))
        {
            yield return Env("OTEL_SERVICE_NAME", workload.Name);
        }

        if (!names.Contains("OTEL_RESOURCE_ATTRIBUTES"))
        {
            yield return Env("OTEL_RESOURCE_ATTRIBUTES", "service.instance.id=$(POD_NAME),k8s.pod.name=$(POD_NAME)");
        }
    }

    private List<Node> Images(IEnumerable<ServiceWorkload> services) =>
    [
        .. services.Select(s => new Node
        {
            ["name"] = ImageName(s.Name),
            ["newName"] = $"{options.Registry}/{s.Name}",
            ["newTag"] = options.ImageTag,
        }),
    ];

    /// <summary>A Secret from files the operator writes next to the overlay (<c>secrets/&lt;key&gt;</c>), never committed.</summary>
    private static Node SecretFiles(string name, IEnumerable<string> keys) => new()
    {
        ["name"] = name,
        ["files"] = keys.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Select(k => $"{k}=secrets/{k}").ToList(),
    };

    /// <summary>The Router's providers (<c>Router__Providers__0__ApiKey=...</c>, one per line), as an env file the operator writes.</summary>
    private static Node ProvidersSecret() => new() { ["name"] = ProvidersName, ["envs"] = new[] { "secrets/router-providers.env" } };

    private static Node Kustomization(IEnumerable<string> resources, Node rest)
    {
        var kustomization = new Node
        {
            ["apiVersion"] = "kustomize.config.k8s.io/v1beta1",
            ["kind"] = "Kustomization",
            ["resources"] = resources.ToList(),
        };
        foreach (var (key, value) in rest)
        {
            kustomization[key] = value;
        }

        return kustomization;
    }

    private static Node Patch(string apiVersion, string kind, string name, Node body)
    {
        var patch = new Node { ["apiVersion"] = apiVersion, ["kind"] = kind, ["metadata"] = new Node { ["name"] = name } };
        foreach (var (key, value) in body)
        {
            patch[key] = value;
        }

        return patch;
    }

    private static Node ContainerPatch(string service, Node container)
    {
        var entry = new Node { ["name"] = service };
        foreach (var (key, value) in container)
        {
            entry[key] = value;
        }

        return Patch("apps/v1", "Deployment", service, new Node
        {
            ["spec"] = new Node { ["template"] = new Node { ["spec"] = new Node { ["containers"] = new[] { entry } } } },
        });
    }

    private static Node Delete(string apiVersion, string kind, string name) =>
        Patch(apiVersion, kind, name, new Node { ["$patch"] = "delete" });
}
