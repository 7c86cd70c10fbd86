using System.Text.Json.Nodes;

namespace IronAspire.AppHost.Tests;

public class ManifestTests
{
    /// <summary>The references of the application model (team rules): each service and what it references.</summary>
    private static readonly Dictionary<string, string[]> References = new()
    {
        ["router"] = ["cache", "messaging", "budget", "mock-provider"],
        ["budget"] = ["cache", "budgetdb", "messaging"],
        ["safety"] = ["cache"],
        ["analytics"] = ["analyticsdb", "messaging"],
        ["agent-supervisor"] = ["supervisordb", "cache", "messaging", "budget", "analytics", "router"],
        ["mock-provider"] = [],
    };

    [Fact]
    public async Task The_manifest_lists_every_resource_with_its_references()
    {
        var output = Path.Combine(Path.GetTempPath(), $"ironaspire-manifest-{Guid.NewGuid():N}", "aspire-manifest.json");
        await using var appHost = AppHostProcess.Start(new Dictionary<string, string>(), "--publisher", "manifest", "--output-path", output,
            "--Budget:Prices:house-model:Input=1.5");

        Assert.Equal(0, await appHost.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(output))!;
        var resources = manifest["resources"]!.AsObject();

        Assert.Equal("container.v0", resources["cache"]!["type"]!.GetValue<string>());
        Assert.Equal("container.v0", resources["postgres"]!["type"]!.GetValue<string>());
        Assert.Equal("container.v0", resources["messaging"]!["type"]!.GetValue<string>());
        Assert.Equal("parameter.v0", resources["cache-password"]!["type"]!.GetValue<string>());
        Assert.Equal("parameter.v0", resources["admin-key"]!["type"]!.GetValue<string>());
        foreach (var secret in new[] { "admin-key", "demo-key", "service-key", "cache-password", "postgres-password", "messaging-password" })
        {
            Assert.True(resources[secret]!["inputs"]!["value"]!["secret"]!.GetValue<bool>(), $"{secret} is a secret parameter");
        }

        Assert.StartsWith("docker.io/library/redis:", resources["cache"]!["image"]!.GetValue<string>());
        Assert.StartsWith("docker.io/library/postgres:", resources["postgres"]!["image"]!.GetValue<string>());
        Assert.StartsWith("docker.io/library/rabbitmq:", resources["messaging"]!["image"]!.GetValue<string>());
        Assert.Equal(6379, resources["cache"]!["bindings"]!["tcp"]!["targetPort"]!.GetValue<int>());
        Assert.Contains("{cache-password.value}", resources["cache"]!["connectionString"]!.GetValue<string>());

        var router = resources["router"]!;
        Assert.Equal("project.v0", router["type"]!.GetValue<string>());
        // The Router runs the budget scripts too, so it prices calls with the Budget service's settings.
        foreach (var service in new[] { "budget", "router" })
        {
            var env = resources[service]!["env"]!;
            Assert.Equal("5", env["Budget__DefaultAgentLimitUsd"]!.GetValue<string>());
            Assert.Equal("1.5", env["Budget__Prices__house-model__Input"]!.GetValue<string>());
        }

        Assert.EndsWith("IronAspire.Router.csproj", router["path"]!.GetValue<string>());
        Assert.False(Path.IsPathRooted(router["path"]!.GetValue<string>()), "paths are relative to the manifest");
        Assert.Equal("{cache.connectionString}", router["env"]!["ConnectionStrings__cache"]!.GetValue<string>());
        Assert.Equal("{mock-provider.bindings.http.url}", router["env"]!["services__mock-provider__http__0"]!.GetValue<string>());
        Assert.Equal("{admin-key.value}", router["env"]!["IRONASPIRE_ADMIN_KEY"]!.GetValue<string>());
        Assert.Equal("http", router["bindings"]!["http"]!["scheme"]!.GetValue<string>());
        // The service key reaches the Budget service and its callers only (docs/security.md).
        foreach (var service in new[] { "budget", "router", "agent-supervisor" })
        {
            Assert.Equal("{service-key.value}", resources[service]!["env"]!["IRONASPIRE_SERVICE_KEY"]!.GetValue<string>());
        }

        foreach (var service in new[] { "analytics", "safety", "mock-provider" })
        {
            Assert.Null(resources[service]!["env"]!["IRONASPIRE_SERVICE_KEY"]);
        }
        Assert.Equal("project.v0", resources["mock-provider"]!["type"]!.GetValue<string>());

        foreach (var (service, references) in References)
        {
            var project = resources[service] ?? throw new Xunit.Sdk.XunitException($"{service} is missing from the manifest");
            var env = project["env"]!.AsObject();
            foreach (var reference in references)
            {
                var expected = resources[reference]!["type"]!.GetValue<string>() == "project.v0"
                    ? ($"services__{reference}__http__0", $"{{{reference}.bindings.http.url}}")
                    : ($"ConnectionStrings__{reference}", $"{{{reference}.connectionString}}");
                Assert.Equal(expected.Item2, env[expected.Item1]?.GetValue<string>());
            }

            Assert.Equal($"{{{service}.bindings.http.targetPort}}", env["HTTP_PORTS"]!.GetValue<string>());
        }

        Assert.Equal("{postgres.connectionString};Database=budgetdb", resources["budgetdb"]!["connectionString"]!.GetValue<string>());
        Assert.Equal("value.v0", resources["analyticsdb"]!["type"]!.GetValue<string>());
        Assert.Equal("value.v0", resources["supervisordb"]!["type"]!.GetValue<string>());
        Assert.Equal("mock-provider", router["env"]!["IRONASPIRE_DEFAULT_UPSTREAM"]!.GetValue<string>());

        foreach (var (name, resource) in resources)
        {
            // Every reference in the manifest names a resource that is in it.
            foreach (System.Text.RegularExpressions.Match reference in System.Text.RegularExpressions.Regex.Matches(
                resource!.ToJsonString(), @"\{([a-z][a-z0-9-]*)\.(connectionString|bindings|value|inputs)"))
            {
                Assert.True(resources.ContainsKey(reference.Groups[1].Value), $"{name} refers to '{reference.Groups[1].Value}', which is not in the manifest");
            }
        }
    }
}
