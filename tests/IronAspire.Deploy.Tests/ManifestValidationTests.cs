using CliWrap;
using CliWrap.Buffered;
using IronAspire.Testing;

namespace IronAspire.Deploy.Tests;

/// <summary>Every overlay, rendered, against the Kubernetes schemas and the project's rules (deploy/validate, offline).</summary>
[Collection(PublishedDeployment.Collection)]
public class ManifestValidationTests(PublishedDeployment deployment)
{
    [Theory]
    [InlineData("demo", 9)]
    [InlineData("prod", 8)]
    [InlineData("external", 5)]
    public async Task Every_object_of_the_overlay_is_valid_for_Kubernetes_and_every_container_is_probed_limited_and_non_root(string overlay, int containers)
    {
        var file = Path.Combine(deployment.Output, $"render-{overlay}.yaml");
        await File.WriteAllTextAsync(file, deployment.Rendered[overlay]);

        var result = await ValidateAsync(file);

        Assert.True(result.ExitCode == 0, $"overlays/{overlay}:\n{result.StandardOutput}{result.StandardError}");
        Assert.Contains($"{deployment.Objects[overlay].Count} objects, {containers} containers checked, 0 problems", result.StandardOutput);
    }

    [Fact]
    public async Task The_validator_rejects_a_bad_type_a_root_container_without_probes_or_limits_and_a_missing_secret()
    {
        var file = Path.Combine(deployment.Output, "bad.yaml");
        await File.WriteAllTextAsync(file, """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: bad}
            spec:
              replicas: "two"
              selector: {matchLabels: {app: bad}}
              template:
                metadata: {labels: {app: bad}}
                spec:
                  containers:
                    - name: bad
                      image: bad
                      env:
                        - name: KEY
                          valueFrom: {secretKeyRef: {name: nowhere, key: key}}
            ---
            apiVersion: extensions/v1beta1
            kind: Ingress
            metadata: {name: old}
            """);

        var result = await ValidateAsync(file);

        Assert.Equal(1, result.ExitCode);
        foreach (var expected in new[]
                 {
                     "Deployment/bad: data/spec/replicas must be integer",
                     "container bad: no readinessProbe", "container bad: no livenessProbe",
                     "container bad: no cpu in resources.requests", "container bad: no memory in resources.limits",
                     "container bad: not a non-root security context", "container bad: allowPrivilegeEscalation is not false",
                     "env KEY: Secret nowhere is not in the rendered objects",
                     "Ingress/old: apiVersion extensions/v1beta1 is not served by Kubernetes 1.32",
                 })
        {
            Assert.Contains(expected, result.StandardOutput);
        }
    }

    private static async Task<BufferedCommandResult> ValidateAsync(string file)
    {
        var validator = Path.Combine(RepositoryRoot.Find(), "deploy", "validate");
        Assert.True(Directory.Exists(Path.Combine(validator, "node_modules", "kubernetes-models")),
            $"The schema validator's packages are missing: run `npm ci` in {validator} (scripts/test.sh does it before the tests).");
        return await Cli.Wrap("node").WithArguments([Path.Combine(validator, "validate.mjs"), file])
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(new CancellationTokenSource(TimeSpan.FromMinutes(2)).Token);
    }
}
