using Microsoft.AspNetCore.Http;

namespace IronAspire.Router.Auth;

/// <summary>Reads the agent key the way both SDKs send it: OpenAI's Bearer token or Anthropic's x-api-key.</summary>
public static class AgentKeyReader
{
    public static string? Read(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return authorization[7..].Trim();
        }

        var apiKey = request.Headers["x-api-key"].ToString();
        return apiKey.Length > 0 ? apiKey.Trim() : null;
    }
}
