using System.Text.Json;
using IronAspire.Router.Providers;
using Microsoft.AspNetCore.Http;

namespace IronAspire.Router.Errors;

/// <summary>
/// An error in the format of the API the client speaks: OpenAI's <c>{"error":{"message","type","code","param"}}</c>
/// or Anthropic's <c>{"type":"error","error":{"type","message"}}</c>, so unmodified SDKs surface it properly.
/// </summary>
public sealed record ApiError(int Status, string Code, string Message, string? Param = null, int? RetryAfterSeconds = null)
{
    public static ApiError InvalidRequest(string message, string? param = null) => new(400, "invalid_request_error", message, param);
    public static ApiError Unauthorized() => new(401, "invalid_api_key", "Invalid or missing API key. Use the agent key IronAspire issued, as 'Authorization: Bearer <key>' or 'x-api-key: <key>'.");
    public static ApiError ModelNotFound(string model) => new(404, "model_not_found", $"The model '{model}' is not served by any configured provider.", "model");
    public static ApiError ModelNotAllowed(string model) => new(404, "model_not_allowed", $"This agent may not use the model '{model}'; GET /v1/models lists the models it may use.", "model");
    public static ApiError TooLarge(long limit) => new(413, "request_too_large", $"The request body is larger than the limit of {limit} bytes.");
    public static ApiError UnsupportedMediaType(string? contentType) => new(415, "unsupported_media_type", $"Content-Type must be application/json, not '{contentType}'.");
    public static ApiError KeyCheckUnavailable() => new(503, "agent_key_unavailable", "The agent key cannot be checked right now (the key store is not answering); retry shortly.", null, 1);
    public static ApiError ProviderUnavailable(string detail, int retryAfter) => new(503, "provider_unavailable", detail, null, retryAfter);

    public const string ProviderAuthErrorCode = "provider_auth_error";

    /// <summary>
    /// The provider refused IronAspire's own credentials (its 401/403). The agent's key was fine, so the agent gets a
    /// gateway error, never the provider's answer (which may quote the provider key).
    /// </summary>
    public static ApiError ProviderRejectedCredentials(string provider, int status) =>
        new(502, ProviderAuthErrorCode, $"Provider '{provider}' refused IronAspire's credentials (HTTP {status}); an operator must fix its key.");

    /// <summary>OpenAI's error "type" for this status (Anthropic's error type names differ, see <see cref="AnthropicType"/>).</summary>
    private string OpenAIType => Status switch
    {
        400 or 404 or 413 or 415 => "invalid_request_error",
        401 => "authentication_error",
        402 => "insufficient_quota",
        403 => "permission_error",
        429 => "rate_limit_error",
        503 => "service_unavailable",
        _ => "api_error",
    };

    private string AnthropicType => Code switch
    {
        "budget_exceeded" => "budget_exceeded",
        "pii_blocked" => "pii_blocked",
        _ => Status switch
        {
            400 or 415 => "invalid_request_error",
            401 => "authentication_error",
            403 => "permission_error",
            404 => "not_found_error",
            413 => "request_too_large",
            429 => "rate_limit_error",
            503 or 529 => "overloaded_error",
            _ => "api_error",
        },
    };

    public async Task WriteAsync(HttpContext context, ApiDialect dialect)
    {
        var response = context.Response;
        response.StatusCode = Status;
        response.ContentType = "application/json";
        if (RetryAfterSeconds is { } retryAfter)
        {
            response.Headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        await response.Body.WriteAsync(ToJson(dialect), context.RequestAborted);
    }

    public byte[] ToJson(ApiDialect dialect)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            if (dialect == ApiDialect.Anthropic)
            {
                json.WriteString("type", "error");
                json.WriteStartObject("error");
                json.WriteString("type", AnthropicType);
                json.WriteString("message", Message);
                json.WriteEndObject();
            }
            else
            {
                json.WriteStartObject("error");
                json.WriteString("message", Message);
                json.WriteString("type", Code is "budget_exceeded" or "pii_blocked" ? Code : OpenAIType);
                json.WriteString("code", Code);
                if (Param is null)
                {
                    json.WriteNull("param");
                }
                else
                {
                    json.WriteString("param", Param);
                }

                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        return stream.ToArray();
    }
}
