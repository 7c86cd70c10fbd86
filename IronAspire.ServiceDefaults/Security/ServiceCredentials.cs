using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Microsoft.AspNetCore.Builder;

/// <summary>
/// The two credentials of IronAspire's internal APIs (docs/security.md): the operator's admin key and the service
/// key services use to call each other. Agents hold neither, only their own agent key, which only the Router accepts.
/// </summary>
public static class ServiceCredentials
{
    /// <summary>The operator's key; the AppHost's secret parameter <c>admin-key</c>.</summary>
    public const string AdminKeyVariable = "IRONASPIRE_ADMIN_KEY";

    /// <summary>The service-to-service key; the AppHost's secret parameter <c>service-key</c>, given only to the Budget
    /// service (which checks it) and to its callers, the Router and the Supervisor.</summary>
    public const string ServiceKeyVariable = "IRONASPIRE_SERVICE_KEY";

    /// <summary>
    /// Compares a presented key with the expected one in constant time over fixed-length hashes, so neither the
    /// content nor the length of the expected key leaks through timing. No expected key matches nothing.
    /// </summary>
    public static bool Matches(string? given, string? expected) =>
        !string.IsNullOrEmpty(expected) && given is not null
        && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));

    /// <summary>The token of <c>Authorization: Bearer {token}</c>, or null.</summary>
    public static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : null;
    }
}
