namespace IronAspire.Hosting.ApplicationModel;

/// <summary>RabbitMQ; its connection string is the amqp:// URI (Aspire's format).</summary>
public sealed class RabbitMQServerResource(string name) : ServerResource(name)
{
    public string UserName { get; internal set; } = "guest";

    public override string? ConnectionString =>
        ExternalConnectionString ?? (Port == 0 ? null : $"amqp://{UserName}:{Uri.EscapeDataString(Password ?? "")}@{Host}:{Port}");

    public override string ConnectionStringExpression =>
        $"amqp://guest:{{{Name}-password.value}}@{{{Name}.bindings.tcp.host}}:{{{Name}.bindings.tcp.port}}";

    public override string Image => "docker.io/library/rabbitmq:4.1";
    public override int TargetPort => 5672;
}
