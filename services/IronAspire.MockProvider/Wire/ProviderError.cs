using System.Globalization;
using System.Text.Json;
using IronAspire.MockProvider.Simulation;

namespace IronAspire.MockProvider.Wire;

/// <summary>
/// Error responses in each provider's format: OpenAI <c>{"error":{"message","type","param","code"}}</c>, Anthropic
/// <c>{"type":"error","error":{"type","message"}}</c>.
/// </summary>
public static class ProviderError
{
    public static async Task WriteAsync(HttpContext context, WireFormat format, int status, string message, int? retryAfterSeconds = null, string? param = null)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "application/json";
        if (retryAfterSeconds is { } seconds)
        {
            response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }

        using (var writer = new Utf8JsonWriter(response.BodyWriter, JsonWire.Options))
        {
            writer.WriteStartObject();
            if (format == WireFormat.Anthropic)
            {
                writer.WriteString("type"u8, "error"u8);
                writer.WriteStartObject("error"u8);
                writer.WriteString("type"u8, AnthropicType(status));
                writer.WriteString("message"u8, message);
                writer.WriteEndObject();
            }
            else
            {
                writer.WriteStartObject("error"u8);
                writer.WriteString("message"u8, message);
                writer.WriteString("type"u8, OpenAIType(status));
                writer.WriteString("param"u8, param);
                writer.WriteString("code"u8, OpenAICode(status));
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        await response.BodyWriter.FlushAsync(context.RequestAborted);
    }

    /// <summary>Anthropic's error types by status (https://docs.anthropic.com/en/api/errors).</summary>
    public static string AnthropicType(int status) => status switch
    {
        400 => "invalid_request_error",
        401 => "authentication_error",
        402 => "billing_error",
        403 => "permission_error",
        404 => "not_found_error",
        413 => "request_too_large",
        429 => "rate_limit_error",
        504 => "timeout_error",
        529 or 503 => "overloaded_error",
        _ => "api_error",
    };

    public static string OpenAIType(int status) => status switch
    {
        400 or 404 or 409 or 422 => "invalid_request_error",
        401 => "invalid_request_error",
        403 => "permission_error",
        429 => "requests",
        _ => "server_error",
    };

    public static string? OpenAICode(int status) => status switch
    {
        401 => "invalid_api_key",
        429 => "rate_limit_exceeded",
        _ => null,
    };
}
