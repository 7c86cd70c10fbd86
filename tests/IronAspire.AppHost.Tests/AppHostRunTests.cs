using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using IronAspire.Testing;
using Microsoft.Playwright;

namespace IronAspire.AppHost.Tests;

/// <summary>
/// The AppHost as a user runs it (its own servers, the real Aspire dashboard): the console tells where everything is,
/// the dashboard shows every resource healthy and one call as one trace across the services, SIGTERM stops it all.
/// </summary>
[Collection(WholeApps.Name)]
public partial class AppHostRunTests
{
    private const string Chromium = "/usr/bin/chromium";

    [Fact]
    public async Task The_dashboard_shows_every_resource_healthy_and_a_call_as_one_trace_and_SIGTERM_stops_everything()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is needed (apt-get install -y chromium)");
        var state = Path.Combine(BackingServers.StatePath, "apphost-" + Guid.NewGuid().ToString("N")[..8]);
        await using var appHost = AppHostProcess.Start(new Dictionary<string, string>(),
            "--state", state, "--router-port", "0", "--supervisor-port", "0", "--AppHost:SampleAgent=false", "--AppHost:EphemeralServers=true");
        await appHost.WaitForOutputAsync("Admin key (IRONASPIRE_ADMIN_KEY)", TimeSpan.FromMinutes(3));
        await appHost.WaitForOutputAsync("Aspire dashboard", TimeSpan.FromSeconds(10));

        // The console: the resources, the demo key (as an export line), the admin key, the dashboard's login link.
        var router = new Uri(Regex.Match(appHost.Output, @"export OPENAI_BASE_URL=(\S+)/v1").Groups[1].Value);
        var demoKey = Regex.Match(appHost.Output, @"OPENAI_API_KEY=([0-9a-f]+)").Groups[1].Value;
        var login = Regex.Match(appHost.Output, @"Aspire dashboard[^:]*: (\S+/login\?t=\S+)").Groups[1].Value;
        Assert.Equal("127.0.0.1", router.Host);
        Assert.StartsWith(appHost.DashboardUrl.ToString().TrimEnd('/'), login);
        Assert.DoesNotContain(appHost.Lines, l => l.StartsWith("fail:", StringComparison.Ordinal));

        var resources = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(state, "resources.json")))!.AsArray();
        foreach (var name in new[] { "cache", "postgres", "messaging", "router", "budget", "safety", "analytics", "agent-supervisor", "mock-provider" })
        {
            var entry = resources.Single(r => r!["name"]!.GetValue<string>() == name)!;
            Assert.Equal("Running", entry["state"]!.GetValue<string>());
            Assert.True(entry["pid"]!.GetValue<int>() > 0, $"{name} has a pid");
        }

        // One chat completion with a trace id of our own, so its trace can be found.
        var traceId = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        using (var http = new HttpClient())
        using (var call = new HttpRequestMessage(HttpMethod.Post, new Uri(router, "/v1/chat/completions")))
        {
            call.Headers.Authorization = new AuthenticationHeaderValue("Bearer", demoKey);
            call.Headers.Add("traceparent", $"00-{traceId}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8))}-01");
            call.Content = new StringContent("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hello"}]}""", Encoding.UTF8, "application/json");
            using var answer = await http.SendAsync(call);
            Assert.True(answer.IsSuccessStatusCode, await answer.Content.ReadAsStringAsync());
        }

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1440, Height = 900 } });
        page.SetDefaultTimeout(30_000);

        // The login link signs in; the resources page lists every resource, Running and Healthy.
        await page.GotoAsync(login);
        // (The databases are listed under postgres, collapsed.)
        foreach (var name in new[] { "cache", "postgres", "messaging", "router", "budget", "safety", "analytics", "agent-supervisor", "mock-provider" })
        {
            // A row's accessible name is "<Type>: <name> <State> ...".
            var row = page.GetByRole(AriaRole.Row, new() { NameRegex = new Regex($@"^\w+: {Regex.Escape(name)} Running\b") });
            await Assertions.Expect(row).ToBeVisibleAsync(new() { Timeout = 30_000 });
        }

        await Assertions.Expect(page.GetByText("Unhealthy")).ToHaveCountAsync(0);
        await Screenshot(page, "apphost-dashboard-resources.png");

        // The trace of that call holds spans of the Router and of Analytics' consumer (through RabbitMQ).
        // Telemetry arrives in batches, and the page shows what had arrived when it opened: reload until both services'
        // spans are there. Each look waits for the page to render (on a loaded machine the dashboard's circuit renders
        // well after the load event, so reading the page at once saw an empty trace every time).
        await page.GotoAsync(new Uri(appHost.DashboardUrl, $"/traces/detail/{traceId}").ToString());
        var body = page.Locator("body");
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await Assertions.Expect(body).ToContainTextAsync("router", new() { Timeout = 10_000, UseInnerText = true });
                await Assertions.Expect(body).ToContainTextAsync("analytics", new() { Timeout = 10_000, UseInnerText = true });
                // Redis commands are reported when the instrumentation drains its profiling sessions, up to 10 s later:
                // the reservation's script is one of the call's own.
                await Assertions.Expect(body).ToContainTextAsync("redis EVAL", new() { Timeout = 10_000, UseInnerText = true });
                break;
            }
            catch (PlaywrightException) when (attempt < 10)
            {
                await page.ReloadAsync();
            }
        }

        // Only the call's own work: the PII policy cache that its first call started polls Redis in the background, and
        // those polls (a SUBSCRIBE, then a GET every interval) once joined this trace for the life of the Router.
        var spans = await body.InnerTextAsync();
        Assert.DoesNotContain("redis SUBSCRIBE", spans, StringComparison.Ordinal);
        Assert.DoesNotContain("redis GET", spans, StringComparison.Ordinal);

        await Screenshot(page, "apphost-dashboard-trace.png");

        // SIGTERM stops every resource (services, servers, DCP, the dashboard) and the AppHost exits cleanly.
        var pids = resources.Where(r => r!["pid"] is JsonValue).ToDictionary(r => r!["pid"]!.GetValue<int>(), r => r!["name"]!.GetValue<string>());
        // The broker's epmd daemon (started by its VM, on a port of its own) goes too.
        var epmd = EpmdOf(state);
        Assert.NotEmpty(epmd);
        foreach (var pid in epmd)
        {
            pids[pid] = "the broker's epmd";
        }

        appHost.Terminate();
        Assert.Equal(0, await appHost.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        for (var i = 0; i < 100 && pids.Keys.Any(Running); i++)
        {
            // DCP finishes stopping what it started just after the AppHost exits.
            await Task.Delay(200);
        }

        Assert.All(pids, p => Assert.False(Running(p.Key), $"{p.Value} (pid {p.Key}) still runs 20 s after SIGTERM"));

        var final = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(state, "resources.json")))!.AsArray();
        Assert.DoesNotContain(final, r => r!["state"]!.GetValue<string>() == "Running");
    }

    /// <summary>The epmd daemons started by the broker of this AppHost (they inherit its environment, which names its state folder).</summary>
    private static List<int> EpmdOf(string state) =>
        Directory.EnumerateDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0)
            .Where(pid => pid > 0)
            .Where(pid =>
            {
                try
                {
                    return File.ReadAllText($"/proc/{pid}/comm").Trim() == "epmd"
                        && File.ReadAllText($"/proc/{pid}/environ").Contains(state, StringComparison.Ordinal);
                }
                catch (IOException)
                {
                    return false;
                }
                catch (UnauthorizedAccessException)
                {
                    return false;
                }
            })
            .ToList();

    private static bool Running(int pid) => IronAspire.AppHost.Lifecycle.ProcessTree.IsRunning(pid);

    private static async Task Screenshot(IPage page, string name)
    {
        var folder = Environment.GetEnvironmentVariable("IRONASPIRE_TEST_ARTIFACTS") is { Length: > 0 } artifacts
            ? artifacts
            : Path.Combine(AppContext.BaseDirectory, "TestResults");
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name), FullPage = true });
    }
}
