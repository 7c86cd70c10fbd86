using IronAspire.AppHost.Kubernetes;
using IronAspire.AppHost.Lifecycle;
using IronAspire.AppHost.Servers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IronAspire.AppHost;

// A Main in a namespace rather than top-level statements: the tests reference the AppHost (Aspire.Hosting.Testing)
// and the services together, and every service has a global Program of its own.
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var builder = DistributedApplication.CreateBuilder(AppHostSettings.Normalize(args));
        try
        {
            IronAspireModel.Declare(builder);
            builder.AddKubernetesPublishing();
        }
        catch (Exception ex) when (ex is MissingServerBinaryException or StateFolderAccessException)
        {
            // A newcomer's most likely first failure: one clear line, not a stack trace.
            Console.Error.WriteLine("IronAspire cannot start: " + ex.Message);
            return 1;
        }

        if (builder.ExecutionContext.IsRunMode)
        {
            var repositoryRoot = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, ".."));
            builder.Services.AddSingleton(sp => new SampleAgent(repositoryRoot, sp.GetRequiredService<ILogger<SampleAgent>>()));
            builder.Services.AddHostedService<ResourcesFile>();
            builder.Services.AddHostedService<ResourceLogFiles>();
            builder.Services.AddHostedService<ResourceRestarter>();
            if (builder.Resources.Any(r => r.Name == "router"))
            {
                builder.Services.AddHostedService<StartupBanner>();
            }
        }

        await builder.Build().RunAsync();
        return 0;
    }
}
