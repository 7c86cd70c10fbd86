using System.Security.Cryptography;
using System.Text;

namespace IronAspire.Contracts.Agents;

/// <summary>
/// The contract between the control plane (which issues agent keys) and the Router (which checks them):
/// keys are stored only as SHA-256 hashes, in the Redis hash <c>ironaspire:agentkey:{hex hash}</c>
/// with fields <c>agentId</c>, optional <c>projectId</c> and optional <c>models</c> (the agent's allowed model patterns,
/// comma-separated; absent: every model) and the optional rate limits <c>requestsPerMinute</c>, <c>tokensPerMinute</c>,
/// <c>maxConcurrent</c> (integers; absent: unlimited). Deleting that Redis key revokes the key.
/// </summary>
public static class AgentKeyFormat
{
    /// <summary>Issued keys start with this prefix, so a leaked one is recognisable (and caught by the PII SECRET scanner).</summary>
    public const string KeyPrefix = "ia-";

    public const string RedisKeyPrefix = "ironaspire:agentkey:";
    public const string AgentIdField = "agentId";
    public const string ProjectIdField = "projectId";
    public const string ModelsField = "models";
    public const string RequestsPerMinuteField = "requestsPerMinute";
    public const string TokensPerMinuteField = "tokensPerMinute";
    public const string MaxConcurrentField = "maxConcurrent";

    /// <summary>The key record's fields for <paramref name="limits"/>: only the limits that are set.</summary>
    public static IEnumerable<(string Field, long Value)> FormatLimits(AgentLimits? limits)
    {
        if (limits?.RequestsPerMinute is { } rpm)
        {
            yield return (RequestsPerMinuteField, rpm);
        }

        if (limits?.TokensPerMinute is { } tpm)
        {
            yield return (TokensPerMinuteField, tpm);
        }

        if (limits?.MaxConcurrent is { } concurrent)
        {
            yield return (MaxConcurrentField, concurrent);
        }
    }

    /// <summary>The limits stored fields name (null values for absent fields); null when none is set.</summary>
    public static AgentLimits? ParseLimits(string? requestsPerMinute, string? tokensPerMinute, string? maxConcurrent)
    {
        var limits = new AgentLimits(
            int.TryParse(requestsPerMinute, out var rpm) ? rpm : null,
            long.TryParse(tokensPerMinute, out var tpm) ? tpm : null,
            int.TryParse(maxConcurrent, out var concurrent) ? concurrent : null);
        return limits.IsEmpty ? null : limits;
    }

    /// <summary>Separates the patterns of <see cref="ModelsField"/>; model names never contain it.</summary>
    public const char ModelsSeparator = ',';

    /// <summary>The stored form of an allow-list; null (no field) when every model is allowed.</summary>
    public static string? FormatModels(IReadOnlyCollection<string>? patterns) =>
        patterns is { Count: > 0 } ? string.Join(ModelsSeparator, patterns) : null;

    /// <summary>The allow-list a stored <see cref="ModelsField"/> names; null when it is absent or empty (every model).</summary>
    public static IReadOnlyList<string>? ParseModels(string? stored)
    {
        var patterns = stored?.Split(ModelsSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return patterns is { Length: > 0 } ? patterns : null;
    }

    public static string NewKey() =>
        KeyPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string Hash(string key) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public static string RedisKey(string key) => RedisKeyPrefix + Hash(key);
}
