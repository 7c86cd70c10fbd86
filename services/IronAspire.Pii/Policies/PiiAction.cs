using System.Text.Json.Serialization;

namespace IronAspire.Pii.Policies;

/// <summary>What a policy does with a type it finds; ordered from weakest to strongest.</summary>
[JsonConverter(typeof(SnakeCaseEnumConverter<PiiAction>))]
public enum PiiAction
{
    /// <summary>Not looked for.</summary>
    Allow,

    /// <summary>Counted (events, metrics), text unchanged.</summary>
    Audit,

    /// <summary>Replaced in the text by the type's redaction style.</summary>
    Redact,

    /// <summary>The call is refused (request) or the value is redacted and the refusal reported (response).</summary>
    Block,
}
