using IronAspire.Router.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace IronAspire.Router.Proxy;

/// <summary>Reads a JSON request body whole, refusing wrong content types and bodies over the limit before reading them.</summary>
public static class RequestBodyReader
{
    public static async Task<(ReadOnlyMemory<byte> Body, ApiError? Error)> ReadAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        var contentType = request.ContentType;
        if (contentType is null || !contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase)
            && !contentType.Contains("+json", StringComparison.OrdinalIgnoreCase))
        {
            return (default, ApiError.UnsupportedMediaType(contentType));
        }

        if (request.ContentLength > limit)
        {
            return (default, ApiError.TooLarge(limit));
        }

        // Kestrel's own limit would answer with a bare 413; the Router's limit answers in the API's format.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = null;
        }

        using var buffer = new MemoryStream(request.ContentLength is > 0 and <= 1 << 20 ? (int)request.ContentLength.Value : 16 * 1024);
        // A pooled read buffer: this runs on every call.
        var chunk = System.Buffers.ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    return (default, ApiError.TooLarge(limit));
                }

                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(chunk);
        }

        return (buffer.GetBuffer().AsMemory(0, (int)buffer.Length), null);
    }
}
