using System.Security.Cryptography;
using System.Text;

namespace IronAspire.Contracts.Agents;

/// <summary>
/// The contract between the control plane (which issues agent keys) and the Router (which checks them):
/// keys are stored only as SHA-256 hashes, in the Redis hash <c>ironaspire:agentkey:{hex hash}</c>
/// with fields <c>agentId</c> and optional <c>projectId</c>. Deleting that Redis key revokes the key.
/// </summary>
public static class AgentKeyFormat
{
    /// <summary>Issued keys start with this prefix, so a leaked one is recognisable (and caught by the PII SECRET scanner).</summary>
    public const string KeyPrefix = "ia-";

    public const string RedisKeyPrefix = "ironaspire:agentkey:";
    public const string AgentIdField = "agentId";
    public const string ProjectIdField = "projectId";

    public static string NewKey() =>
        KeyPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string Hash(string key) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public static string RedisKey(string key) => RedisKeyPrefix + Hash(key);
}
