using System.Net;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using IronAspire.AppHost.Lifecycle;
using IronAspire.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace IronAspire.AppHost.Tests;

/// <summary>The AppHost's model under Aspire.Hosting.Testing: random ports, every service healthy, crashes handled.</summary>
[Collection(WholeApps.Name)]
public class TestingBuilderTests
{
    [Fact]
    public async Task The_AppHost_model_starts_on_random_ports_and_a_killed_service_is_reported_and_restarted()
    {
        await using var app = await IronAspireApp.StartAsync();
        var model = app.App.Services.GetRequiredService<DistributedApplicationModel>();

        foreach (var project in model.Resources.OfType<ProjectResource>())
        {
            using var http = app.CreateHttpClient(project.Name);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health")).StatusCode);
        }

        Assert.NotEqual(AppHostSettings.DefaultRouterPort, app.GetEndpoint("router").Port);
        Assert.Equal("127.0.0.1", app.GetEndpoint("router").Host);
        Assert.StartsWith("127.0.0.1:", await app.ConnectionStringAsync("cache"));
        Assert.EndsWith(";Database=budgetdb", await app.ConnectionStringAsync("budgetdb"));

        // The Router is marked to restart on failure: killed, it is reported and comes back healthy with a new process.
        var notifications = app.App.ResourceNotifications;
        var running = await notifications.WaitForResourceAsync("router", e => Pid(e) is not null);
        var pid = Pid(running)!.Value;
        // DCP starts a project as `dotnet run`; the service is its child. A crash of the service is what matters.
        await WaitForChildAsync(pid);
        System.Diagnostics.Process.GetProcessById(ProcessTree.MainProcess(pid)).Kill();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await notifications.WaitForResourceAsync("router", e => e.Snapshot.ExitCode is not null and not 0, timeout.Token);
        var restarted = await notifications.WaitForResourceAsync("router",
            e => e.Snapshot.State?.Text == KnownResourceStates.Running && Pid(e) is { } p && p != pid, timeout.Token);
        await notifications.WaitForResourceHealthyAsync("router", timeout.Token);
        using var router = app.CreateHttpClient("router");
        Assert.Equal(HttpStatusCode.OK, (await router.GetAsync("/health")).StatusCode);
        Assert.NotEqual(pid, Pid(restarted));
    }

    private static async Task WaitForChildAsync(int pid)
    {
        for (var i = 0; i < 100 && ProcessTree.MainProcess(pid) == pid; i++)
        {
            await Task.Delay(100);
        }
    }

    private static int? Pid(ResourceEvent e) => ProcessTree.StartedPid(e.Snapshot);
}

/// <summary>Tests that start the whole app run one at a time: two at once on two cores measure the machine, not the app.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class WholeApps
{
    public const string Name = "Whole apps";
}
