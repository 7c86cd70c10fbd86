using System.Globalization;
using Aspire.Hosting.ApplicationModel;

namespace IronAspire.AppHost.Kubernetes;

/// <summary>
/// A Kubernetes environment value: text in which <c>$(NAME)</c> names an earlier variable of the same container (how
/// Kubernetes composes a value from a Secret without the Secret's content in the manifest), the secret parameters it
/// needs, and the resources of the model it refers to.
/// </summary>
internal sealed record EnvValue(string Text, IReadOnlySet<string> Secrets, IReadOnlySet<IResource> References)
{
    /// <summary>The value is one secret and nothing else: a <c>secretKeyRef</c>, no composition needed.</summary>
    public string? WholeSecret => Secrets.Count == 1 && Text == Reference(Secrets.First()) ? Secrets.First() : null;

    /// <summary>A setting of the deployment's own (no reference to the model).</summary>
    public static EnvValue Literal(string text) => new(text, new HashSet<string>(), new HashSet<IResource>());

    /// <summary>The container variable a secret parameter is read into, for composed values.</summary>
    public static string VariableFor(string secret) =>
        "IRONASPIRE_SECRET_" + secret.ToUpperInvariant().Replace('-', '_');

    public static string Reference(string secret) => $"$({VariableFor(secret)})";
}

/// <summary>
/// Turns the values the model's environment callbacks produce in publish mode (strings, endpoint references,
/// connection strings, parameters, reference expressions) into in-cluster values: a resource's endpoint is its
/// Kubernetes Service (<c>http://budget:8080</c>), a secret parameter is a key of the generated Secret.
/// </summary>
internal sealed class EnvironmentTranslator(Func<EndpointReference, int> servicePort)
{
    public EnvValue Translate(object? value)
    {
        var secrets = new HashSet<string>(StringComparer.Ordinal);
        var references = new HashSet<IResource>();
        var text = Text(value, secrets, references);
        return new EnvValue(text, secrets, references);
    }

    private string Text(object? value, HashSet<string> secrets, HashSet<IResource> references)
    {
        switch (value)
        {
            case null:
                return "";
            case string literal:
                return Escape(literal);
            case ParameterResource parameter when parameter.Secret:
                references.Add(parameter);
                secrets.Add(parameter.Name);
                return EnvValue.Reference(parameter.Name);
            case ParameterResource parameter:
                throw new NotSupportedException(
                    $"Parameter '{parameter.Name}' is not secret: the Kubernetes step only maps secret parameters (to the generated Secret).");
            case ConnectionStringReference connectionString:
                references.Add(connectionString.Resource);
                return Text(connectionString.Resource.ConnectionStringExpression, secrets, references);
            case IResourceWithConnectionString resource:
                references.Add(resource);
                return Text(resource.ConnectionStringExpression, secrets, references);
            case EndpointReference endpoint:
                references.Add(endpoint.Resource);
                return Endpoint(endpoint, EndpointProperty.Url);
            case EndpointReferenceExpression expression:
                references.Add(expression.Endpoint.Resource);
                return Endpoint(expression.Endpoint, expression.Property);
            case ReferenceExpression { IsConditional: true } conditional:
                // Resolved now, as Aspire's own publishers do for a condition that is no parameter (e.g. TLS on an endpoint).
                var condition = Text(conditional.Condition, secrets, references);
                return Text(string.Equals(condition, conditional.MatchValue, StringComparison.OrdinalIgnoreCase)
                    ? conditional.WhenTrue : conditional.WhenFalse, secrets, references);
            case ReferenceExpression expression:
                var args = new object[expression.ValueProviders.Count];
                for (var i = 0; i < args.Length; i++)
                {
                    var part = Text(expression.ValueProviders[i], secrets, references);
                    // A secret cannot be encoded here; the generated passwords' alphabet needs no encoding (docs/deploy.md).
                    var uriEncode = i < expression.StringFormats.Count && expression.StringFormats[i] == "uri" && !part.Contains("$(", StringComparison.Ordinal);
                    args[i] = uriEncode ? Uri.EscapeDataString(part) : part;
                }

                return string.Format(CultureInfo.InvariantCulture, Escape(expression.Format), args);
            default:
                throw new NotSupportedException($"The Kubernetes step cannot translate a {value.GetType().Name} ({value}).");
        }
    }

    private string Endpoint(EndpointReference endpoint, EndpointProperty property)
    {
        var host = endpoint.Resource.Name;
        var port = servicePort(endpoint).ToString(CultureInfo.InvariantCulture);
        var scheme = endpoint.EndpointAnnotation.UriScheme;
        return property switch
        {
            EndpointProperty.Url => $"{scheme}://{host}:{port}",
            EndpointProperty.Host or EndpointProperty.IPV4Host => host,
            EndpointProperty.Port or EndpointProperty.TargetPort => port,
            EndpointProperty.HostAndPort => $"{host}:{port}",
            EndpointProperty.Scheme => scheme,
            EndpointProperty.TlsEnabled => bool.FalseString,
            _ => throw new NotSupportedException($"Endpoint property {property} of {host}."),
        };
    }

    /// <summary>Kubernetes expands <c>$(NAME)</c> in values; a literal <c>$(</c> is written <c>$$(</c>.</summary>
    private static string Escape(string literal) => literal.Replace("$(", "$$(", StringComparison.Ordinal);
}
