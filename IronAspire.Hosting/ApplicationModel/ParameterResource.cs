namespace IronAspire.Hosting.ApplicationModel;

/// <summary>
/// A value given to the model from outside (Aspire's AddParameter): configuration <c>Parameters:{name}</c> or an
/// environment variable, else — for secrets — generated once and kept in the state folder. In the manifest it is a
/// parameter.v0 input, so deployment tools ask for it instead of the value being written down.
/// </summary>
public sealed class ParameterResource(string name, bool secret, Func<string> value) : IResource
{
    private readonly Lazy<string> _value = new(value);

    public string Name { get; } = name;
    public bool Secret { get; } = secret;
    public string Value => _value.Value;
}
