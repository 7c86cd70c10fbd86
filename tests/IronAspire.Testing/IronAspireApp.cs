using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using IronAspire.AppHost;
using Microsoft.Extensions.DependencyInjection;

namespace IronAspire.Testing;

/// <summary>
/// The real AppHost's model started with Aspire.Hosting.Testing (DCP runs every resource, ports are allocated), with
/// its state in a temporary folder, no sample agent, and servers without fsync. Ready when every service is healthy.
/// </summary>
public sealed class IronAspireApp(DistributedApplication app) : IAsyncDisposable
{
    private static readonly string[] Services = ["mock-provider", "analytics", "budget", "safety", "router", "agent-supervisor"];

    public DistributedApplication App => app;

    /// <param name="args">More AppHost arguments or configuration (<c>--Key=Value</c>).</param>
    public static async Task<IronAspireApp> StartAsync(params string[] args)
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.IronAspire_AppHost>(
        [
            $"--{AppHostSettings.SampleAgent}=false",
            $"--{AppHostSettings.EphemeralServers}=true",
            $"--{AppHostSettings.State}={Path.Combine(BackingServers.StatePath, "app-" + Guid.NewGuid().ToString("N")[..8])}",
            .. args,
        ]);
        var app = await builder.BuildAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await app.StartAsync(timeout.Token);
        foreach (var service in Services)
        {
            await app.ResourceNotifications.WaitForResourceHealthyAsync(service, timeout.Token);
        }

        return new IronAspireApp(app);
    }

    /// <summary>The service's http endpoint (the Router's is DCP's proxy in front of every replica).</summary>
    public Uri GetEndpoint(string resource) => app.GetEndpoint(resource, "http");

    public HttpClient CreateHttpClient(string resource) => app.CreateHttpClient(resource, "http");

    public async Task<string> ConnectionStringAsync(string resource) =>
        await app.GetConnectionStringAsync(resource) ?? throw new InvalidOperationException($"{resource} has no connection string.");

    /// <summary>A parameter's value (the generated <c>admin-key</c> and <c>demo-key</c>, server passwords).</summary>
    public async Task<string> ParameterAsync(string name) =>
        await app.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<ParameterResource>().Single(p => p.Name == name).GetValueAsync(default)
        ?? throw new InvalidOperationException($"{name} has no value.");

    public ValueTask DisposeAsync() => app.DisposeAsync();
}
