using System.Text.Json.Serialization;

namespace IronAspire.Pii.Redaction;

/// <summary>How a redacted value is written.</summary>
[JsonConverter(typeof(Policies.SnakeCaseEnumConverter<PiiRedactionStyle>))]
public enum PiiRedactionStyle
{
    /// <summary>"[EMAIL_ADDRESS]".</summary>
    Placeholder,

    /// <summary>Letters and digits starred except the last four: "**** **** **** 4242"; e-mail keeps its domain.</summary>
    Mask,

    /// <summary>"[EMAIL_ADDRESS:3f2a9c1b0d4e]": HMAC-SHA256 of the value under the configured key, stable per value.</summary>
    Hash,

    /// <summary>The value is removed.</summary>
    Remove,
}
