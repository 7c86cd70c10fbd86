using System.Net.Http.Headers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Sends the service key (IRONASPIRE_SERVICE_KEY) on a client's calls to another IronAspire service.</summary>
public sealed class ServiceKeyHandler(IConfiguration configuration) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (configuration[ServiceCredentials.ServiceKeyVariable] is { Length: > 0 } key)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return base.SendAsync(request, cancellationToken);
    }
}

public static class ServiceKeyHttpClientExtensions
{
    /// <summary>The client calls an internal IronAspire service: every request carries the service key.</summary>
    public static IHttpClientBuilder AddServiceCredential(this IHttpClientBuilder builder)
    {
        builder.Services.AddTransient<ServiceKeyHandler>();
        return builder.AddHttpMessageHandler<ServiceKeyHandler>();
    }
}
