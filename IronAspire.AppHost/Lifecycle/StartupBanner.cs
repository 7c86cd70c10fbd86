using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IronAspire.AppHost.Lifecycle;

/// <summary>
/// Once the Router and the Supervisor are healthy: prints where everything is (the resources, the demo agent's key,
/// the admin key, the Aspire dashboard with its login link when it needs one), then starts the sample agent.
/// </summary>
internal sealed class StartupBanner(
    DistributedApplicationModel model,
    ResourceNotificationService notifications,
    IConfiguration configuration,
    SampleAgent sampleAgent,
    ILogger<StartupBanner> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await notifications.WaitForResourceHealthyAsync("router", stoppingToken);
            await notifications.WaitForResourceHealthyAsync("agent-supervisor", stoppingToken);
            var router = Url("router");
            var supervisor = Url("agent-supervisor");
            var demoKey = await Parameter("demo-key").GetValueAsync(stoppingToken);
            var adminKey = await Parameter("admin-key").GetValueAsync(stoppingToken) ?? throw new InvalidOperationException("The admin key has no value.");

            logger.LogInformation("IronAspire is running:");
            foreach (var resource in model.Resources.OfType<IResourceWithEndpoints>().Where(r => r.Name != "aspire-dashboard"))
            {
                var endpoint = resource.Annotations.OfType<EndpointAnnotation>().FirstOrDefault();
                if (endpoint is not null)
                {
                    logger.LogInformation("  {Resource,-18} {Url}", resource.Name, resource.GetEndpoint(endpoint.Name).Url);
                }
            }

            logger.LogInformation("Point any OpenAI client at the Router with the demo agent's key:");
            logger.LogInformation("  export OPENAI_BASE_URL={Router}/v1 OPENAI_API_KEY={DemoKey}", router, demoKey);
            logger.LogInformation("Anthropic clients: export ANTHROPIC_BASE_URL={Router} ANTHROPIC_API_KEY={DemoKey}", router, demoKey);
            logger.LogInformation("Agent supervisor and operator console: {Supervisor}", supervisor);
            logger.LogInformation("Admin key (IRONASPIRE_ADMIN_KEY): {AdminKey}", adminKey);
            if (DashboardUrl() is { } dashboard)
            {
                logger.LogInformation("Aspire dashboard (logs, traces, metrics of every service): {Dashboard}", dashboard);
            }

            if (configuration.GetValue(AppHostSettings.SampleAgent, true))
            {
                await sampleAgent.StartAsync(new Uri(supervisor), adminKey, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (HttpRequestException ex)
        {
            logger.LogWarning("Sample agent not started: {Reason}", ex.Message);
        }
    }

    private string Url(string name) =>
        ((IResourceWithEndpoints)model.Resources.Single(r => r.Name == name)).GetEndpoint("http").Url.TrimEnd('/');

    private ParameterResource Parameter(string name) => model.Resources.OfType<ParameterResource>().Single(p => p.Name == name);

    /// <summary>The dashboard's address (with its one-time login link unless anonymous access is on), when it runs.</summary>
    private string? DashboardUrl()
    {
        if (!model.Resources.Any(r => r.Name == "aspire-dashboard")
            || configuration["ASPNETCORE_URLS"]?.Split(';', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() is not { } url)
        {
            return null;
        }

        url = url.TrimEnd('/');
        return configuration.GetValue<bool>("ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS") || configuration["AppHost:BrowserToken"] is not { Length: > 0 } token
            ? url
            : $"{url}/login?t={token}";
    }
}
