using System.ComponentModel.DataAnnotations;

namespace IronAspire.Safety;

/// <summary>Configuration section "Safety".</summary>
public sealed class SafetyOptions
{
    public const string Section = "Safety";

    /// <summary>The longest text /v1/scan accepts (chars); longer is 413.</summary>
    [Range(1, 64 * 1024 * 1024)]
    public int MaxScanChars { get; set; } = 1024 * 1024;
}
