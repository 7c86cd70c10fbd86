using System.Net;
using IronAspire.Hosting;
using IronAspire.Hosting.ApplicationModel;
using IronAspire.Hosting.Testing;

namespace IronAspire.AppHost.Tests;

/// <summary>DistributedApplicationTestingBuilder: the AppHost's own model, on random ports, over the shared servers.</summary>
public class TestingBuilderTests
{
    [Fact]
    public async Task The_AppHost_model_starts_on_random_ports_and_every_service_answers_health()
    {
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<IronAspireModel>();
        await using var app = await builder.BuildAsync();

        await app.StartAsync();

        foreach (var project in app.Resources.OfType<ProjectResource>())
        {
            await app.ResourceNotifications.WaitForResourceHealthyAsync(project.Name).WaitAsync(TimeSpan.FromSeconds(30));
            using var http = app.CreateHttpClient(project.Name);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health")).StatusCode);
        }

        Assert.NotEqual(IronAspireModel.DefaultRouterPort, app.GetEndpoint("router").Port);
        Assert.Equal(await BackingServers.RedisAsync(), await app.GetConnectionStringAsync("cache"));
        Assert.Contains(";Database=budgetdb_", app.GetConnectionString("budgetdb"));
        Assert.Equal(KnownResourceStates.Running, app.ResourceNotifications.GetSnapshot("router").State);
    }

    [Fact]
    public async Task A_killed_service_is_reported_in_the_orchestrator_output_and_its_state()
    {
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync(
            b => b.AddProject<Projects.IronAspire_MockProvider>("mock-provider"));
        await using var app = await builder.BuildAsync();
        await app.StartAsync();
        await app.ResourceNotifications.WaitForResourceHealthyAsync("mock-provider");
        var pid = app.ResourceNotifications.GetSnapshot("mock-provider").Pid!.Value;

        System.Diagnostics.Process.GetProcessById(pid).Kill();
        var exited = await app.ResourceNotifications.WaitForResourceAsync("mock-provider", KnownResourceStates.Exited).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.NotEqual(0, exited.ExitCode);
        Assert.Contains(app.Log.Tail, line => line.Contains($"ERROR: resource 'mock-provider' (pid {pid}) exited unexpectedly", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Asking_for_a_resource_that_is_not_in_the_model_fails_clearly()
    {
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync(b => b.AddRedis("cache"));
        await using var app = await builder.BuildAsync();
        await app.StartAsync();

        var error = Assert.Throws<ArgumentException>(() => app.GetEndpoint("nope"));

        Assert.Contains("'nope'", error.Message);
        Assert.Equal(await BackingServers.RedisAsync(), app.GetConnectionString("cache"));
    }
}
