namespace IronAspire.AppHost.Kubernetes;

using Node = Dictionary<string, object?>;

/// <summary>
/// The Kubernetes objects of one workload, as plain maps in the order a person reads them (YAML is written from them).
/// Every container gets probes, requests and limits, a non-root user, no privilege escalation, no capabilities and,
/// where its program allows, a read-only root file system with an emptyDir for what it must write.
/// </summary>
internal static class KubernetesObjects
{
    public const string PartOf = "ironaspire";
    public const string NameLabel = "app.kubernetes.io/name";
    public const string SecretsName = "ironaspire-secrets";
    public const string ConnectionsName = "ironaspire-connections";
    public const string ProvidersName = "router-providers";
    public const string TelemetryName = "ironaspire-telemetry";

    /// <summary>The user of the .NET SDK's container images (<c>app</c>, uid 1654; ContainerUser in the csproj files).</summary>
    private const long AppUser = 1654;

    public static string ImageName(string service) => $"ironaspire/{service}";

    public static Node Labels(string name) => new() { [NameLabel] = name, ["app.kubernetes.io/part-of"] = PartOf };

    public static Node Deployment(ServiceWorkload service, IEnumerable<object?> env, Resources resources, Node? dataVolume)
    {
        List<object?> mounts = [new Node { ["name"] = "tmp", ["mountPath"] = "/tmp" }];
        List<object?> volumes = [new Node { ["name"] = "tmp", ["emptyDir"] = new Node { ["sizeLimit"] = "256Mi" } }];
        if (dataVolume is not null)
        {
            mounts.Add(new Node { ["name"] = "data", ["mountPath"] = dataVolume["mountPath"] });
            volumes.Add(new Node { ["name"] = "data", ["persistentVolumeClaim"] = new Node { ["claimName"] = dataVolume["claimName"] } });
        }

        var container = new Node
        {
            ["name"] = service.Name,
            ["image"] = ImageName(service.Name),
            ["imagePullPolicy"] = "IfNotPresent",
            ["ports"] = new[] { Port("http", service.Port) },
            ["env"] = env.ToList(),
            ["resources"] = Requirements(resources),
            ["startupProbe"] = HttpProbe("/alive", periodSeconds: 2, failureThreshold: 60),
            ["readinessProbe"] = HttpProbe("/health", periodSeconds: 10, failureThreshold: 3),
            ["livenessProbe"] = HttpProbe("/alive", periodSeconds: 20, failureThreshold: 3),
            ["securityContext"] = ContainerSecurity(readOnlyRootFileSystem: true),
            ["volumeMounts"] = mounts,
        };
        var spec = new Node
        {
            ["replicas"] = service.Replicas,
            ["revisionHistoryLimit"] = 5,
            ["selector"] = new Node { ["matchLabels"] = new Node { [NameLabel] = service.Name } },
        };
        if (dataVolume is not null)
        {
            // A ReadWriteOnce volume cannot be mounted by the old and the new pod at once.
            spec["strategy"] = new Node { ["type"] = "Recreate" };
        }

        spec["template"] = new Node
        {
            ["metadata"] = new Node { ["labels"] = Labels(service.Name) },
            ["spec"] = PodSpec(AppUser, [container], volumes),
        };
        return Object("apps/v1", "Deployment", service.Name, spec);
    }

    public static Node StatefulSet(ServerWorkload server, IEnumerable<object?> env, IReadOnlyList<string>? initScripts)
    {
        var profile = server.Profile;
        var mounts = new List<object?>();
        var volumes = new List<object?>();
        var claims = new List<object?>();
        for (var i = 0; i < server.DataPaths.Count; i++)
        {
            var name = $"data-{i}";
            mounts.Add(new Node { ["name"] = name, ["mountPath"] = server.DataPaths[i] });
            claims.Add(new Node
            {
                ["metadata"] = new Node { ["name"] = name, ["labels"] = Labels(server.Name) },
                ["spec"] = new Node
                {
                    ["accessModes"] = new[] { "ReadWriteOnce" },
                    ["resources"] = new Node { ["requests"] = new Node { ["storage"] = profile.VolumeSize } },
                },
            });
        }

        for (var i = 0; i < profile.ScratchPaths.Count; i++)
        {
            mounts.Add(new Node { ["name"] = $"scratch-{i}", ["mountPath"] = profile.ScratchPaths[i] });
            volumes.Add(new Node { ["name"] = $"scratch-{i}", ["emptyDir"] = new Node() });
        }

        if (initScripts is not null)
        {
            mounts.Add(new Node { ["name"] = "init", ["mountPath"] = "/docker-entrypoint-initdb.d", ["readOnly"] = true });
            volumes.Add(new Node { ["name"] = "init", ["configMap"] = new Node { ["name"] = server.Name + "-init" } });
        }

        var container = new Node { ["name"] = server.Name, ["image"] = server.Image, ["imagePullPolicy"] = "IfNotPresent" };
        if (profile.Command is not null)
        {
            container["command"] = profile.Command;
        }

        container["ports"] = new[] { Port("tcp", server.Port) };
        container["env"] = env.ToList();
        container["resources"] = Requirements(profile.Resources);
        container["startupProbe"] = TcpProbe(server.Port, periodSeconds: 2, failureThreshold: 60);
        container["readinessProbe"] = new Node
        {
            ["exec"] = new Node { ["command"] = profile.ReadinessCommand },
            ["periodSeconds"] = 10,
            ["timeoutSeconds"] = 10,
            ["failureThreshold"] = 3,
        };
        container["livenessProbe"] = TcpProbe(server.Port, periodSeconds: 20, failureThreshold: 3);
        container["securityContext"] = ContainerSecurity(profile.ReadOnlyRootFileSystem);
        container["volumeMounts"] = mounts;

        var spec = new Node
        {
            ["serviceName"] = server.Name,
            ["replicas"] = 1,
            ["selector"] = new Node { ["matchLabels"] = new Node { [NameLabel] = server.Name } },
            ["template"] = new Node
            {
                ["metadata"] = new Node { ["labels"] = Labels(server.Name) },
                ["spec"] = PodSpec(profile.User, [container], volumes),
            },
            ["volumeClaimTemplates"] = claims,
        };
        return Object("apps/v1", "StatefulSet", server.Name, spec);
    }

    /// <summary>The in-cluster name of a workload: <c>http://budget:8080</c>. A server's is headless (its StatefulSet's pod).</summary>
    public static Node Service(string name, string portName, int port, bool headless)
    {
        var spec = new Node();
        if (headless)
        {
            spec["clusterIP"] = "None";
        }

        spec["selector"] = new Node { [NameLabel] = name };
        spec["ports"] = new[]
        {
            new Node { ["name"] = portName, ["port"] = port, ["targetPort"] = portName, ["protocol"] = "TCP" },
        };
        return Object("v1", "Service", name, spec);
    }

    public static Node PersistentVolumeClaim(string name, string owner, string size) =>
        Object("v1", "PersistentVolumeClaim", name, new Node
        {
            ["accessModes"] = new[] { "ReadWriteOnce" },
            ["resources"] = new Node { ["requests"] = new Node { ["storage"] = size } },
        }, Labels(owner));

    public static Node ConfigMap(string name, string owner, Node data) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ConfigMap",
        ["metadata"] = new Node { ["name"] = name, ["labels"] = Labels(owner) },
        ["data"] = data,
    };

    /// <summary>Denies all ingress to the app's pods; each workload's own policy then lets in only what it needs.</summary>
    public static Node DefaultDenyIngress() =>
        Object("networking.k8s.io/v1", "NetworkPolicy", "default-deny-ingress", new Node
        {
            ["podSelector"] = new Node { ["matchLabels"] = new Node { ["app.kubernetes.io/part-of"] = PartOf } },
            ["policyTypes"] = new[] { "Ingress" },
        }, new Node { ["app.kubernetes.io/part-of"] = PartOf });

    /// <param name="from">The workloads let in; null: any source (a public entry point, from outside the namespace too).</param>
    public static Node IngressPolicy(string name, int port, IEnumerable<string>? from)
    {
        var ports = new[] { new Node { ["port"] = port, ["protocol"] = "TCP" } };
        var clients = from?.Order(StringComparer.Ordinal)
            .Select(client => (object?)new Node { ["podSelector"] = new Node { ["matchLabels"] = new Node { [NameLabel] = client } } })
            .ToList();
        // A workload nobody in the model connects to gets no rule at all: nothing reaches it (probes come from the node).
        List<object?> rules = clients switch
        {
            null => [new Node { ["ports"] = ports }],
            [] => [],
            _ => [new Node { ["from"] = clients, ["ports"] = ports }],
        };
        return Object("networking.k8s.io/v1", "NetworkPolicy", name + "-ingress", new Node
        {
            ["podSelector"] = new Node { ["matchLabels"] = new Node { [NameLabel] = name } },
            ["policyTypes"] = new[] { "Ingress" },
            ["ingress"] = rules,
        }, Labels(name));
    }

    public static Node HorizontalPodAutoscaler(string name, int minReplicas, int maxReplicas) =>
        Object("autoscaling/v2", "HorizontalPodAutoscaler", name, new Node
        {
            ["scaleTargetRef"] = new Node { ["apiVersion"] = "apps/v1", ["kind"] = "Deployment", ["name"] = name },
            ["minReplicas"] = minReplicas,
            ["maxReplicas"] = maxReplicas,
            ["metrics"] = new[]
            {
                new Node
                {
                    ["type"] = "Resource",
                    ["resource"] = new Node
                    {
                        ["name"] = "cpu",
                        ["target"] = new Node { ["type"] = "Utilization", ["averageUtilization"] = 70 },
                    },
                },
            },
        }, Labels(name));

    public static Node PodDisruptionBudget(string name) =>
        Object("policy/v1", "PodDisruptionBudget", name, new Node
        {
            // One pod at a time may go (a node drain): with one replica a minAvailable of 1 would block drains for good.
            ["maxUnavailable"] = 1,
            ["selector"] = new Node { ["matchLabels"] = new Node { [NameLabel] = name } },
        }, Labels(name));

    public static Node Env(string name, string value) => new() { ["name"] = name, ["value"] = value };

    public static Node EnvFrom(string name, string source, string sourceName, string key) =>
        new() { ["name"] = name, ["valueFrom"] = new Node { [source] = new Node { ["name"] = sourceName, ["key"] = key } } };

    public static Node EnvFromField(string name, string fieldPath) =>
        new() { ["name"] = name, ["valueFrom"] = new Node { ["fieldRef"] = new Node { ["fieldPath"] = fieldPath } } };

    private static Node Object(string apiVersion, string kind, string name, Node spec, Node? labels = null) => new()
    {
        ["apiVersion"] = apiVersion,
        ["kind"] = kind,
        ["metadata"] = new Node { ["name"] = name, ["labels"] = labels ?? Labels(name) },
        ["spec"] = spec,
    };

    private static Node PodSpec(long user, object?[] containers, List<object?> volumes)
    {
        var spec = new Node
        {
            ["automountServiceAccountToken"] = false,
            // No Docker-link variables (CACHE_PORT=tcp://...): they would collide with the connection variables Aspire injects.
            ["enableServiceLinks"] = false,
            ["securityContext"] = new Node
            {
                ["runAsNonRoot"] = true,
                ["runAsUser"] = user,
                ["runAsGroup"] = user,
                ["fsGroup"] = user,
                ["seccompProfile"] = new Node { ["type"] = "RuntimeDefault" },
            },
            ["terminationGracePeriodSeconds"] = 30,
            ["containers"] = containers,
        };
        if (volumes.Count > 0)
        {
            spec["volumes"] = volumes;
        }

        return spec;
    }

    private static Node ContainerSecurity(bool readOnlyRootFileSystem) => new()
    {
        ["runAsNonRoot"] = true,
        ["allowPrivilegeEscalation"] = false,
        ["readOnlyRootFilesystem"] = readOnlyRootFileSystem,
        ["capabilities"] = new Node { ["drop"] = new[] { "ALL" } },
    };

    private static Node Requirements(Resources resources) => new()
    {
        ["requests"] = new Node { ["cpu"] = resources.CpuRequest, ["memory"] = resources.MemoryRequest },
        ["limits"] = new Node { ["cpu"] = resources.CpuLimit, ["memory"] = resources.MemoryLimit },
    };

    private static Node Port(string name, int port) => new() { ["name"] = name, ["containerPort"] = port, ["protocol"] = "TCP" };

    private static Node HttpProbe(string path, int periodSeconds, int failureThreshold) => new()
    {
        ["httpGet"] = new Node { ["path"] = path, ["port"] = "http" },
        ["periodSeconds"] = periodSeconds,
        ["timeoutSeconds"] = 5,
        ["failureThreshold"] = failureThreshold,
    };

    private static Node TcpProbe(int port, int periodSeconds, int failureThreshold) => new()
    {
        ["tcpSocket"] = new Node { ["port"] = port },
        ["periodSeconds"] = periodSeconds,
        ["timeoutSeconds"] = 5,
        ["failureThreshold"] = failureThreshold,
    };
}
