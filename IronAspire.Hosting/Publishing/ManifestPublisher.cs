using System.Text.Json;
using System.Text.Json.Nodes;
using IronAspire.Hosting.ApplicationModel;
using IronAspire.Hosting.Orchestration;

namespace IronAspire.Hosting.Publishing;

/// <summary>
/// Writes the model as an Aspire manifest (schema aspire-8.0), the file azd and aspirate read: container.v0 for
/// backing servers, value.v0 for databases, parameter.v0 for secrets, project.v0 for projects with their bindings
/// and environment expressed as references (<c>{cache.connectionString}</c>, <c>{budget.bindings.http.url}</c>).
/// Only the 9.x subset aspirate understands is used (no annotated.string).
/// </summary>
public static class ManifestPublisher
{
    public static void Write(IReadOnlyList<IResource> resources, string outputPath)
    {
        var directory = Path.GetDirectoryName(outputPath)!;
        Directory.CreateDirectory(directory);
        File.WriteAllText(outputPath, Build(resources, directory).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    public static JsonObject Build(IReadOnlyList<IResource> resources, string manifestDirectory)
    {
        var entries = new JsonObject();
        foreach (var resource in resources)
        {
            switch (resource)
            {
                case ServerResource server:
                    if (server.ExternalConnectionString is not null)
                    {
                        entries[server.Name] = new JsonObject { ["type"] = "parameter.v0", ["connectionString"] = $"{{{server.Name}.value}}", ["value"] = $"{{{server.Name}.inputs.value}}", ["inputs"] = SecretInput(generate: false) };
                        break;
                    }

                    entries[server.Name + "-password"] = Parameter(server.Name + "-password", generate: true);
                    entries[server.Name] = Container(server);
                    break;
                case PostgresDatabaseResource database:
                    entries[database.Name] = new JsonObject { ["type"] = "value.v0", ["connectionString"] = database.ConnectionStringExpression };
                    break;
                case ParameterResource parameter:
                    entries[parameter.Name] = Parameter(parameter.Name, generate: parameter.Secret, secret: parameter.Secret);
                    break;
                case ProjectResource project:
                    entries[project.Name] = Project(project, manifestDirectory);
                    break;
            }
        }

        return new JsonObject
        {
            ["$schema"] = "https://json.schemastore.org/aspire-8.0.json",
            ["resources"] = entries,
        };
    }

    private static JsonObject Container(ServerResource server)
    {
        var env = new JsonObject();
        var args = new JsonArray();
        switch (server)
        {
            case RedisResource:
                args.Add("-c");
                args.Add($"redis-server --requirepass $REDIS_PASSWORD --appendonly yes");
                env["REDIS_PASSWORD"] = $"{{{server.Name}-password.value}}";
                break;
            case PostgresServerResource:
                env["POSTGRES_HOST_AUTH_METHOD"] = "scram-sha-256";
                env["POSTGRES_INITDB_ARGS"] = "--auth-host=scram-sha-256 --auth-local=scram-sha-256";
                env["POSTGRES_USER"] = "postgres";
                env["POSTGRES_PASSWORD"] = $"{{{server.Name}-password.value}}";
                break;
            case RabbitMQServerResource:
                env["RABBITMQ_DEFAULT_USER"] = "guest";
                env["RABBITMQ_DEFAULT_PASS"] = $"{{{server.Name}-password.value}}";
                break;
        }

        var container = new JsonObject
        {
            ["type"] = "container.v0",
            ["connectionString"] = server.ConnectionStringExpression,
            ["image"] = server.Image,
        };
        if (server is RedisResource)
        {
            container["entrypoint"] = "/bin/sh";
            container["args"] = args;
        }

        container["env"] = env;
        container["bindings"] = new JsonObject
        {
            ["tcp"] = new JsonObject { ["scheme"] = "tcp", ["protocol"] = "tcp", ["transport"] = "tcp", ["targetPort"] = server.TargetPort },
        };
        return container;
    }

    private static JsonObject Project(ProjectResource project, string manifestDirectory)
    {
        var env = new JsonObject
        {
            ["OTEL_DOTNET_EXPERIMENTAL_OTLP_EMIT_EXCEPTION_LOG_ATTRIBUTES"] = "true",
            ["OTEL_DOTNET_EXPERIMENTAL_OTLP_EMIT_EVENT_LOG_ATTRIBUTES"] = "true",
            ["OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY"] = "in_memory",
            ["ASPNETCORE_FORWARDEDHEADERS_ENABLED"] = "true",
            ["HTTP_PORTS"] = $"{{{project.Name}.bindings.http.targetPort}}",
        };
        foreach (var reference in project.ConnectionReferences)
        {
            env[$"ConnectionStrings__{reference.Name}"] = $"{{{reference.Name}.connectionString}}";
        }

        foreach (var service in project.ServiceReferences)
        {
            env[$"services__{service.Name}__http__0"] = $"{{{service.Name}.bindings.http.url}}";
            env[$"{ProjectEnvironment.EnvName(service.Name)}_HTTP"] = $"{{{service.Name}.bindings.http.url}}";
        }

        foreach (var (name, value) in project.Environment)
        {
            env[name] = project.ParameterEnvironment.TryGetValue(name, out var parameter)
                ? $"{{{parameter.Name}.value}}"
                : value();
        }

        return new JsonObject
        {
            ["type"] = "project.v0",
            ["path"] = Path.GetRelativePath(manifestDirectory, project.Metadata.ProjectPath),
            ["env"] = env,
            ["bindings"] = new JsonObject
            {
                ["http"] = new JsonObject
                {
                    ["scheme"] = "http",
                    ["protocol"] = "tcp",
                    ["transport"] = "http",
                    ["external"] = project.FixedPort is not null,
                },
            },
        };
    }

    private static JsonObject Parameter(string name, bool generate, bool secret = true) => new()
    {
        ["type"] = "parameter.v0",
        ["value"] = $"{{{name}.inputs.value}}",
        ["inputs"] = SecretInput(generate, secret),
    };

    private static JsonObject SecretInput(bool generate, bool secret = true)
    {
        var value = new JsonObject { ["type"] = "string", ["secret"] = secret };
        if (generate)
        {
            value["default"] = new JsonObject { ["generate"] = new JsonObject { ["minLength"] = 22, ["special"] = false } };
        }

        return new JsonObject { ["value"] = value };
    }
}
