using System.Text.Json.Nodes;
using CliWrap;
using CliWrap.Buffered;
using IronAspire.Testing;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace IronAspire.Deploy.Tests;

/// <summary>
/// The deployment as an operator gets it: <c>scripts/publish-k8s.sh</c> run into a temporary folder (with the build the
/// tests run on), the secret files every overlay's <c>secretGenerator</c> asks for written, each overlay rendered with
/// <c>kubectl kustomize</c>.
/// </summary>
public sealed class PublishedDeployment : IAsyncLifetime
{
    /// <summary>The test classes that share one published deployment.</summary>
    public const string Collection = "Published deployment";

    public const string Registry = "registry.test/acme";
    public const string Tag = "9.8.7";

    /// <summary>Given to the publishing AppHost as if the operator had them in their shell: they must not reach any file.</summary>
    public const string AdminKeyInEnvironment = "admin-key-from-the-shell-5bd1";
    public const string ProviderKeyInEnvironment = "sk-provider-key-from-the-shell-77e2";

    public static readonly string[] Overlays = ["demo", "prod", "external"];

#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    public string Output { get; } = Path.Combine(Path.GetTempPath(), "ironaspire-k8s-" + Guid.NewGuid().ToString("N")[..8]);

    public string Repository { get; } = RepositoryRoot.Find();

    /// <summary>Every file the publish step wrote, read before any secret file exists.</summary>
    public Dictionary<string, string> PublishedFiles { get; } = [];

    public Dictionary<string, string> Rendered { get; } = [];

    public Dictionary<string, List<JsonObject>> Objects { get; } = [];

    public async Task InitializeAsync()
    {
        var publish = await Cli.Wrap("bash")
            .WithArguments(["scripts/publish-k8s.sh", Output, $"--Kubernetes:Registry={Registry}", $"--Kubernetes:ImageTag={Tag}"])
            .WithWorkingDirectory(Repository)
            .WithEnvironmentVariables(new Dictionary<string, string?>
            {
                ["NO_BUILD"] = "1",
                ["CONFIGURATION"] = Configuration,
                ["IRONASPIRE_ADMIN_KEY"] = AdminKeyInEnvironment,
                ["OPENAI_API_KEY"] = ProviderKeyInEnvironment,
            })
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(new CancellationTokenSource(TimeSpan.FromMinutes(3)).Token);
        Assert.True(publish.ExitCode == 0, $"publish-k8s.sh failed ({publish.ExitCode}):\n{publish.StandardOutput}\n{publish.StandardError}");

        foreach (var file in Directory.EnumerateFiles(Output, "*", SearchOption.AllDirectories))
        {
            PublishedFiles[Path.GetRelativePath(Output, file)] = await File.ReadAllTextAsync(file);
        }

        foreach (var overlay in Overlays)
        {
            await WriteSecretFilesAsync(Path.Combine(Output, "overlays", overlay));
            var render = await Cli.Wrap("kubectl").WithArguments(["kustomize", Path.Combine(Output, "overlays", overlay)])
                .WithValidation(CommandResultValidation.None)
                .ExecuteBufferedAsync(new CancellationTokenSource(TimeSpan.FromMinutes(1)).Token);
            Assert.True(render.ExitCode == 0, $"kubectl kustomize overlays/{overlay} failed ({render.ExitCode}):\n{render.StandardError}");
            Rendered[overlay] = render.StandardOutput;
            Objects[overlay] = Documents(render.StandardOutput);
        }
    }

    public Task DisposeAsync()
    {
        Directory.Delete(Output, recursive: true);
        return Task.CompletedTask;
    }

    public JsonObject? Find(string overlay, string kind, string name) =>
        Objects[overlay].FirstOrDefault(o => (string?)o["kind"] == kind && (string?)o["metadata"]!["name"] == name);

    public JsonObject Get(string overlay, string kind, string name) =>
        Find(overlay, kind, name) ?? throw new Xunit.Sdk.XunitException($"overlays/{overlay} renders no {kind}/{name}");

    public IEnumerable<JsonObject> OfKind(string overlay, string kind) => Objects[overlay].Where(o => (string?)o["kind"] == kind);

    /// <summary>The Deployment's (single) container.</summary>
    public static JsonObject Container(JsonObject workload) => workload["spec"]!["template"]!["spec"]!["containers"]![0]!.AsObject();

    public static IEnumerable<JsonObject> Env(JsonObject workload) =>
        Container(workload)["env"]?.AsArray().Select(e => e!.AsObject()) ?? [];

    /// <summary>What the operator does: one file per key the overlay's secretGenerator names (files and env files).</summary>
    private static async Task WriteSecretFilesAsync(string overlay)
    {
        var kustomization = Documents(await File.ReadAllTextAsync(Path.Combine(overlay, "kustomization.yaml"))).Single();
        foreach (var generator in kustomization["secretGenerator"]?.AsArray() ?? [])
        {
            foreach (var file in generator!["files"]?.AsArray() ?? [])
            {
                var path = Path.Combine(overlay, ((string)file!).Split('=', 2)[^1]);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                await File.WriteAllTextAsync(path, "operator-" + Guid.NewGuid().ToString("N"));
            }

            foreach (var envFile in generator["envs"]?.AsArray() ?? [])
            {
                var path = Path.Combine(overlay, (string)envFile!);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                await File.WriteAllTextAsync(path, "Router__Providers__0__Name=openai\nRouter__Providers__0__Kind=OpenAI\n" +
                    "Router__Providers__0__BaseUrl=https://api.openai.com\nRouter__Providers__0__ApiKey=sk-operator\nRouter__Providers__0__Models__0=gpt-*\n");
            }
        }
    }

    /// <summary>A YAML stream as JSON objects; every scalar is a string (<c>replicas: 2</c> reads "2").</summary>
    public static List<JsonObject> Documents(string yaml)
    {
        var deserializer = new DeserializerBuilder().Build();
        var parser = new Parser(new StringReader(yaml));
        parser.Consume<StreamStart>();
        var documents = new List<JsonObject>();
        while (parser.Accept<DocumentStart>(out _))
        {
            if (Node(deserializer.Deserialize<object?>(parser)) is JsonObject document)
            {
                documents.Add(document);
            }
        }

        return documents;
    }

    private static JsonNode? Node(object? value) => value switch
    {
        null => null,
        IDictionary<object, object?> map => new JsonObject(map.Select(p => KeyValuePair.Create(p.Key.ToString()!, Node(p.Value)))),
        IList<object?> list => new JsonArray([.. list.Select(Node)]),
        _ => JsonValue.Create(value.ToString()),
    };
}

[CollectionDefinition(PublishedDeployment.Collection)]
public sealed class PublishedDeploymentCollection : ICollectionFixture<PublishedDeployment>;
