using System.ComponentModel.DataAnnotations;

namespace IronAspire.Pii.Policies;

/// <summary>Configuration section "Pii".</summary>
public sealed class PiiOptions
{
    public const string Section = "Pii";

    /// <summary>
    /// Key of the keyed-hash redaction style (at least 16 chars). Give every Router instance the same key so a value
    /// gets the same pseudonym everywhere; without one a random key per process is used.
    /// </summary>
    [MinLength(16)]
    public string? PseudonymKey { get; set; }

    /// <summary>How often the cache checks the policy version in Redis; changes are also pushed by pub/sub.</summary>
    [Range(10, 1000)]
    public int RefreshIntervalMilliseconds { get; set; } = 250;
}
