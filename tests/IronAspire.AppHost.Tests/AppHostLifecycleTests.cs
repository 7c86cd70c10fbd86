using System.Text.Json;
using System.Text.Json.Nodes;
using IronAspire.Hosting.Testing;

namespace IronAspire.AppHost.Tests;

/// <summary>The AppHost as a user runs it: start, report, survive a crashed service, stop on Ctrl-C.</summary>
public class AppHostLifecycleTests
{
    /// <summary>The shared test servers replace the AppHost's own (Aspire's AddConnectionString), which keeps this fast.</summary>
    private static async Task<Dictionary<string, string>> SharedServersAsync() => new()
    {
        ["ConnectionStrings__cache"] = await BackingServers.RedisAsync(),
        ["ConnectionStrings__postgres"] = await BackingServers.PostgresAsync(),
        ["ConnectionStrings__messaging"] = await BackingServers.RabbitMqAsync(),
        ["AppHost__SampleAgent"] = "false",
    };

    [Fact]
    public async Task A_killed_service_is_reported_and_restarted_and_ctrl_c_stops_everything()
    {
        var state = Path.Combine(BackingServers.StatePath, "apphost-" + Guid.NewGuid().ToString("N")[..8]);
        await using var appHost = AppHostProcess.Start(await SharedServersAsync(), "--state", state, "--router-port", "0");
        await appHost.WaitForOutputAsync("IronAspire is running", TimeSpan.FromSeconds(120));

        var resources = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(state, "resources.json")))!.AsArray();
        var router = resources.Single(r => r!["name"]!.GetValue<string>() == "router")!;
        var mock = resources.Single(r => r!["name"]!.GetValue<string>() == "mock-provider")!;
        Assert.Equal("Running", router["state"]!.GetValue<string>());
        Assert.StartsWith("http://127.0.0.1:", router["url"]!.GetValue<string>());
        Assert.Contains("OPENAI_BASE_URL=" + router["url"]!.GetValue<string>() + "/v1", appHost.Output);
        var mockPid = mock["pid"]!.GetValue<int>();
        var routerPid = router["pid"]!.GetValue<int>();

        // A crash of a service without a restart policy is reported, not ignored.
        System.Diagnostics.Process.GetProcessById(mockPid).Kill();
        await appHost.WaitForOutputAsync($"resource 'mock-provider' (pid {mockPid}) exited unexpectedly", TimeSpan.FromSeconds(30));

        // The router's model says WithRestart: it comes back healthy.
        System.Diagnostics.Process.GetProcessById(routerPid).Kill();
        await appHost.WaitForOutputAsync($"resource 'router' (pid {routerPid}) exited unexpectedly", TimeSpan.FromSeconds(30));
        await appHost.WaitForOutputAsync("Restarting 'router'", TimeSpan.FromSeconds(10));
        using var http = new HttpClient();
        var healthy = false;
        for (var i = 0; i < 100 && !healthy; i++)
        {
            await Task.Delay(200);
            var current = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(state, "resources.json")))!.AsArray()
                .Single(r => r!["name"]!.GetValue<string>() == "router")!;
            healthy = current["state"]!.GetValue<string>() == "Running" && current["pid"]!.GetValue<int>() != routerPid;
        }

        Assert.True(healthy, "the router was restarted");

        appHost.Interrupt();
        Assert.Equal(0, await appHost.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("Stopped.", appHost.Output);
        var final = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(state, "resources.json")))!.AsArray();
        foreach (var resource in final)
        {
            if (resource!["pid"] is JsonValue pid)
            {
                Assert.False(Directory.Exists($"/proc/{pid.GetValue<int>()}") && !File.ReadAllText($"/proc/{pid.GetValue<int>()}/stat").Contains(") Z", StringComparison.Ordinal),
                    $"{resource["name"]} (pid {pid}) still runs after Ctrl-C");
            }
        }
    }
}
