using System.Globalization;
using IronAspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;

namespace IronAspire.Hosting.Orchestration;

/// <summary>
/// The environment an Aspire AppHost gives a project (see shared/design/aspire-conventions.md §1): connection
/// strings, service discovery entries, OpenTelemetry settings and the URL to listen on.
/// </summary>
public static class ProjectEnvironment
{
    public static Dictionary<string, string?> Build(ProjectResource project, IConfiguration appHostConfiguration)
    {
        var environmentName = appHostConfiguration["ASPNETCORE_ENVIRONMENT"] ?? appHostConfiguration["DOTNET_ENVIRONMENT"] ?? "Development";
        var env = new Dictionary<string, string?>
        {
            ["ASPNETCORE_URLS"] = project.Url,
            ["ASPNETCORE_ENVIRONMENT"] = environmentName,
            ["DOTNET_ENVIRONMENT"] = environmentName,
            ["OTEL_SERVICE_NAME"] = project.Name,
            // One id per process start, "<resource>-<suffix>" as DCP names replicas.
            ["OTEL_RESOURCE_ATTRIBUTES"] = $"service.instance.id={project.Name}-{Guid.NewGuid().ToString("N")[..8]}",
            ["OTEL_DOTNET_EXPERIMENTAL_OTLP_EMIT_EXCEPTION_LOG_ATTRIBUTES"] = "true",
            ["OTEL_DOTNET_EXPERIMENTAL_OTLP_EMIT_EVENT_LOG_ATTRIBUTES"] = "true",
            ["OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY"] = "in_memory",
            // Short export intervals, as Aspire sets for local runs, so the dashboard is live.
            ["OTEL_BLRP_SCHEDULE_DELAY"] = "1000",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "1000",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "1000",
            ["OTEL_METRICS_EXEMPLAR_FILTER"] = "trace_based",
            ["LOGGING__CONSOLE__FORMATTERNAME"] = "simple",
            ["LOGGING__CONSOLE__FORMATTEROPTIONS__SINGLELINE"] = "true",
            ["LOGGING__CONSOLE__COLORBEHAVIOR"] = "Disabled",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        };

        if (environmentName == "Development")
        {
            env["OTEL_TRACES_SAMPLER"] = "always_on";
        }

        // The dashboard's OTLP endpoint, as Aspire resolves it (gRPC preferred), else whatever the AppHost was given.
        if (appHostConfiguration["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] is { Length: > 0 } grpc)
        {
            env["OTEL_EXPORTER_OTLP_ENDPOINT"] = grpc;
            env["OTEL_EXPORTER_OTLP_PROTOCOL"] = "grpc";
        }
        else if (appHostConfiguration["ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL"] is { Length: > 0 } http)
        {
            env["OTEL_EXPORTER_OTLP_ENDPOINT"] = http;
            env["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
        }

        foreach (var key in new[] { "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_HEADERS" })
        {
            if (appHostConfiguration[key] is { Length: > 0 } value)
            {
                env[key] = value;
            }
        }

        env[$"{EnvName(project.Name)}_HTTP"] = project.Url;
        foreach (var reference in project.ConnectionReferences)
        {
            env[$"ConnectionStrings__{reference.Name}"] = reference.ConnectionString;
        }

        foreach (var service in project.ServiceReferences)
        {
            env[$"services__{service.Name}__http__0"] = service.Url;
            env[$"{EnvName(service.Name)}_HTTP"] = service.Url;
        }

        foreach (var (name, value) in project.Environment)
        {
            env[name] = value();
        }

        return env;
    }

    /// <summary>Aspire 13's encoding of a resource name into an environment variable prefix.</summary>
    public static string EnvName(string name)
    {
        var chars = name.Select(c => char.IsAsciiLetterOrDigit(c) || c == '_' ? char.ToUpperInvariant(c) : '_').ToArray();
        var encoded = new string(chars);
        return char.IsAsciiDigit(encoded[0]) ? "_" + encoded : encoded;
    }
}
