using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace IronAspire.Validation;

/// <summary>
/// JSON request bodies of every service: a key given twice is refused rather than read as its last value (two readers
/// of one body must not see different values), and a string holding an unpaired UTF-16 surrogate (<c>"\ud800"</c>) is
/// a JSON error — System.Text.Json otherwise throws an InvalidOperationException, which would surface as a 500.
/// Either becomes a 400 ProblemDetails through <see cref="BadRequestExceptionHandler"/>.
/// </summary>
public static class StrictJsonInput
{
    public static TBuilder AddStrictJsonInput<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.Configure<Microsoft.AspNetCore.Http.Json.JsonOptions>(o =>
        {
            o.SerializerOptions.AllowDuplicateProperties = false;
            o.SerializerOptions.Converters.Add(new WellFormedStringConverter());
        });
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<BadRequestExceptionHandler>();
        return builder;
    }

    /// <summary>Reads strings (values and dictionary keys) as the default does, but an ill-formed one is a JsonException.</summary>
    public sealed class WellFormedStringConverter : JsonConverter<string>
    {
        public override bool HandleNull => false;

        public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.String)
            {
                throw new JsonException($"Expected a string, found {reader.TokenType}.");
            }

            return Decode(ref reader);
        }

        public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);

        public override string ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => Decode(ref reader);

        public override void WriteAsPropertyName(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WritePropertyName(value);

        private static string Decode(ref Utf8JsonReader reader)
        {
            try
            {
                return reader.GetString()!;
            }
            catch (InvalidOperationException ex)
            {
                throw new JsonException("A string holds an unpaired UTF-16 surrogate.", ex);
            }
        }
    }
}

/// <summary>
/// A request the framework could not bind (malformed JSON, a missing body, an ill-formed string) is a 400 ProblemDetails
/// in every environment — in Development minimal APIs throw it, in Production they answer it; never a 500.
/// </summary>
public sealed class BadRequestExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad)
        {
            return false;
        }

        context.Response.StatusCode = bad.StatusCode;
        return await problems.TryWriteAsync(new()
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = { Status = bad.StatusCode, Title = "Invalid request", Detail = bad.Message, Extensions = { ["code"] = "invalid_request" } },
        });
    }
}
