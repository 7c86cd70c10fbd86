using System.ComponentModel.DataAnnotations;

namespace IronAspire.AppHost.Kubernetes;

/// <summary>
/// Settings of the Kubernetes publishing step (configuration section <c>Kubernetes</c>, e.g.
/// <c>aspire publish -o k8s -- --Kubernetes:Registry=ghcr.io/acme</c>). Everything here can also be changed later in
/// the generated kustomizations (<c>kustomize edit set image</c>, the telemetry ConfigMap).
/// </summary>
public sealed class KubernetesOptions
{
    public const string SectionName = "Kubernetes";

    /// <summary>Where the images are pushed: the <c>images:</c> entries name <c>{Registry}/{service}:{ImageTag}</c>.</summary>
    [Required, RegularExpression(@"^[a-z0-9]([a-z0-9._:/-]*[a-z0-9])?$", ErrorMessage = "Kubernetes:Registry must be a registry host with an optional path, lower case.")]
    public string Registry { get; set; } = "registry.example.com/ironaspire";

    /// <summary>The images' tag (the SDK's ContainerImageTag, which defaults to the project's Version, 1.0.0).</summary>
    [Required, RegularExpression(@"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", ErrorMessage = "Kubernetes:ImageTag must be a valid image tag.")]
    public string ImageTag { get; set; } = "1.0.0";

    /// <summary>The OpenTelemetry collector every service exports to (OTLP over gRPC).</summary>
    [Required, Url]
    public string OtlpEndpoint { get; set; } = "http://otel-collector:4317";

    /// <summary>The Router's autoscaler's ceiling (the floor is the model's replicas in base, 2 in prod).</summary>
    [Range(2, 100)]
    public int RouterMaxReplicas { get; set; } = 10;
}
