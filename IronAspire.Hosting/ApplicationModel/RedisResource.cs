namespace IronAspire.Hosting.ApplicationModel;

/// <summary>Redis, with append-only persistence (budgets must survive a restart).</summary>
public sealed class RedisResource(string name) : ServerResource(name)
{
    public override string? ConnectionString =>
        ExternalConnectionString ?? (Port == 0 ? null : $"{Host}:{Port},password={Password}");

    public override string ConnectionStringExpression =>
        $"{{{Name}.bindings.tcp.host}}:{{{Name}.bindings.tcp.port}},password={{{Name}-password.value}}";

    public override string Image => "docker.io/library/redis:7.4";
    public override int TargetPort => 6379;
}
