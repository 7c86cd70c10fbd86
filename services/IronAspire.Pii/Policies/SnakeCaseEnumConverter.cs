using System.Text.Json;
using System.Text.Json.Serialization;

namespace IronAspire.Pii.Policies;

/// <summary>Enums as lower-case strings in policy JSON ("redact", "mask", "mod97"); numbers are refused.</summary>
public sealed class SnakeCaseEnumConverter<TEnum>() : JsonStringEnumConverter<TEnum>(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false)
    where TEnum : struct, Enum;
