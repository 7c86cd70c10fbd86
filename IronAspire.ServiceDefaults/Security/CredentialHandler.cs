using System.Net.Http.Headers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Sends one of IronAspire's credentials (read from configuration) as the Bearer token on a client's calls to another IronAspire service.</summary>
public sealed class CredentialHandler(IConfiguration configuration, string variable) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (configuration[variable] is { Length: > 0 } key)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return base.SendAsync(request, cancellationToken);
    }
}

public static class CredentialHttpClientExtensions
{
    /// <summary>The client calls an internal IronAspire service: every request carries the service key (IRONASPIRE_SERVICE_KEY).</summary>
    public static IHttpClientBuilder AddServiceCredential(this IHttpClientBuilder builder) =>
        builder.AddCredential(ServiceCredentials.ServiceKeyVariable);

    /// <summary>
    /// The client calls an internal service on the operator's behalf (the Supervisor reading Analytics for the console
    /// and its own admin-key endpoints): every request carries the admin key (IRONASPIRE_ADMIN_KEY).
    /// </summary>
    public static IHttpClientBuilder AddAdminCredential(this IHttpClientBuilder builder) =>
        builder.AddCredential(ServiceCredentials.AdminKeyVariable);

    private static IHttpClientBuilder AddCredential(this IHttpClientBuilder builder, string variable) =>
        builder.AddHttpMessageHandler(services => new CredentialHandler(services.GetRequiredService<IConfiguration>(), variable));
}
