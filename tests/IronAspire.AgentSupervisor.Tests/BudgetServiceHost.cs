extern alias budgetservice;
using IronAspire.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace IronAspire.AgentSupervisor.Tests;

/// <summary>The real Budget service, in-process, on the shared Redis and a database of its own.</summary>
public sealed class BudgetServiceHost(string redis, string database) : WebApplicationFactory<budgetservice::Program>
{
    /// <summary>The service key the Budget service checks and the Supervisor sends (SupervisorFactory passes it on).</summary>
    public const string ServiceKey = "supervisor-tests-service-key";

    public static async Task<BudgetServiceHost> StartAsync()
    {
        var host = new BudgetServiceHost(await BackingServers.RedisAsync(),
            await BackingServers.PostgresDatabaseAsync("supbudget_" + Guid.NewGuid().ToString("N")[..12]));
        _ = host.Server; // start now, not on first request
        return host;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("ConnectionStrings:cache", redis);
        builder.UseSetting("ConnectionStrings:budgetdb", database);
        builder.UseSetting("IRONASPIRE_SERVICE_KEY", ServiceKey);
    }

    /// <summary>Clients call as the services do (the Router stand-in, the Supervisor): with the service key.</summary>
    protected override void ConfigureClient(HttpClient client)
    {
        base.ConfigureClient(client);
        client.DefaultRequestHeaders.Authorization = new("Bearer", ServiceKey);
    }
}
