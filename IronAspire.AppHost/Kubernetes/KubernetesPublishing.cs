using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using Aspire.Hosting.Pipelines;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IronAspire.AppHost.Kubernetes;

/// <summary>
/// The publishing step that writes the model as a kustomize application (<c>aspire publish -o DIR</c>, or without the
/// Aspire CLI <c>dotnet run --project IronAspire.AppHost -- --operation publish --step publish --output-path DIR</c>).
/// It runs after Aspire's own <c>publish-manifest</c> step, so <c>DIR/aspire-manifest.json</c> is written beside it.
/// </summary>
public static partial class KubernetesPublishing
{
    public const string StepName = "publish-kubernetes";

    /// <summary>Aspire's step that writes <c>aspire-manifest.json</c> into the same output folder.</summary>
    public const string ManifestStepName = "publish-manifest";

    /// <summary>The folders and files the step owns; anything else in the output folder (the operator's secrets) is kept.</summary>
    private static readonly string[] GeneratedFolders = ["base", "components"];

    public static IDistributedApplicationBuilder AddKubernetesPublishing(this IDistributedApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        builder.Pipeline.AddStep(StepName, async context =>
        {
            var options = new KubernetesOptions();
            configuration.GetSection(KubernetesOptions.SectionName).Bind(options);
            Validator.ValidateObject(options, new ValidationContext(options), validateAllProperties: true);

            var output = context.Services.GetRequiredService<IPipelineOutputService>().GetOutputDirectory();
            var app = await AppModelReader.ReadAsync(context.Model, context.ExecutionContext, context.CancellationToken);
            RefusePlainTextSecrets(app);
            var files = new KustomizeApp(app, options).Files();
            await WriteAsync(output, files.ToDictionary(f => f.Key, f => YamlDocuments.Write(f.Value)), context.CancellationToken);
            context.Logger.LogInformation("Wrote the Kubernetes kustomize application ({Files} files) to {Output}", files.Count, output);
        }, dependsOn: ManifestStepName, requiredBy: WellKnownPipelineSteps.Publish);
        return builder;
    }

    private static async Task WriteAsync(string output, Dictionary<string, string> files, CancellationToken cancellationToken)
    {
        foreach (var folder in GeneratedFolders.Select(f => Path.Combine(output, f)).Where(Directory.Exists))
        {
            Directory.Delete(folder, recursive: true);
        }

        var overlays = Path.Combine(output, "overlays");
        if (Directory.Exists(overlays))
        {
            foreach (var stale in Directory.EnumerateFiles(overlays, "*.yaml", SearchOption.TopDirectoryOnly)
                         .Concat(Directory.EnumerateDirectories(overlays).SelectMany(d => Directory.EnumerateFiles(d, "*.yaml"))))
            {
                File.Delete(stale);
            }
        }

        foreach (var (path, content) in files.Append(KeyValuePair.Create(".gitignore",
                     "# The operator's secret files (see docs/deploy.md): never committed.\noverlays/*/secrets/\n")))
        {
            var full = Path.Combine(output, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            await File.WriteAllTextAsync(full, content, cancellationToken);
        }
    }

    /// <summary>A credential must come from a secret parameter; as a plain value it would be written into the manifests.</summary>
    private static void RefusePlainTextSecrets(AppWorkloads app)
    {
        foreach (var workload in app.All)
        {
            foreach (var (name, value) in workload.Environment)
            {
                if (value.Secrets.Count == 0 && value.Text.Length > 0 && CredentialName().IsMatch(name))
                {
                    throw new InvalidOperationException(
                        $"{workload.Name}'s {name} is a plain value in the model; a credential must be a secret parameter to be published.");
                }
            }
        }
    }

    [GeneratedRegex("(KEY|PASSWORD|SECRET|TOKEN)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex CredentialName();
}
