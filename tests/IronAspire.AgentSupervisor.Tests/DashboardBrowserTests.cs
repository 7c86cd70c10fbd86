using System.Globalization;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using IronAspire.Contracts.Agents;
using IronAspire.Contracts.Events;
using Microsoft.Playwright;

namespace IronAspire.AgentSupervisor.Tests;

/// <summary>
/// The dashboard in Debian's headless Chromium driven by Playwright (never a downloaded browser): log in, see an agent,
/// watch its spend bar move after a call without reloading, stop it from the UI and see its processes gone.
/// </summary>
public sealed partial class DashboardBrowserTests : IAsyncLifetime
{
    private const string Chromium = "/usr/bin/chromium";

    private SupervisorFactory _factory = null!;
    private TestBus _bus = null!;
    private FakeRouter _router = null!;

    private RoutedSupervisor _app = null!;

    public async Task InitializeAsync()
    {
        _app = await RoutedSupervisor.StartAsync();
        (_factory, _router, _bus) = (_app.Supervisor, _app.Router, _app.Bus);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    /// <summary>Where the screenshot goes: $IRONASPIRE_TEST_ARTIFACTS, else TestResults beside the test assembly.</summary>
    public static string ArtifactsDirectory =>
        Environment.GetEnvironmentVariable("IRONASPIRE_TEST_ARTIFACTS") is { Length: > 0 } folder
            ? folder
            : Path.Combine(AppContext.BaseDirectory, "TestResults");

    [Fact]
    public async Task Operator_logs_in_sees_spend_move_live_and_stops_the_agent_from_the_dashboard()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is needed (apt-get install -y chromium)");
        using var admin = _factory.Admin();
        var agent = await admin.CreateAgentAsync(new
        {
            name = "research-bot", command = "bash", args = new[] { Path.Combine(AppContext.BaseDirectory, "scripts", "idle.sh") }, budgetUsd = 0.0005m,
        });
        await admin.CreateAgentAsync(new { name = "billing-service (external)", budgetUsd = 2m, projectId = "billing" });
        var running = await admin.WaitForAsync(agent.Id, a => a.State == "Running");
        var child = int.Parse(ChildLine().Match(string.Join("\n", (await admin.LogsAsync(agent.Id)).Select(l => l.Text))).Groups[1].Value, CultureInfo.InvariantCulture);

        using var playwright = await Playwright.CreateAsync();
        var (browser, page, scriptErrors) = await OpenConsoleAsync(playwright);
        await using var closing = browser;

        // A wrong key is refused; the right one opens the dashboard.
        await page.FillAsync("#admin-key", "not-the-key");
        await page.ClickAsync("#login-form button");
        await Assertions.Expect(page.Locator("#login-error")).ToContainTextAsync("refused");
        await page.FillAsync("#admin-key", SupervisorFactory.AdminKey);
        await page.ClickAsync("#login-form button");

        var row = page.Locator($"tr[data-agent-id='{agent.Id}']");
        await Assertions.Expect(row).ToContainTextAsync("research-bot");
        await Assertions.Expect(row.Locator(".state")).ToHaveTextAsync("Running");
        await Assertions.Expect(page.Locator("#live-text")).ToHaveTextAsync("live");
        await Assertions.Expect(row.Locator(".spent")).ToHaveAttributeAsync("data-spent", "0");

        // Calls with the agent's key: the spend bar moves without a reload, and the call shows in the live feed.
        using var agentClient = new HttpClient();
        agentClient.DefaultRequestHeaders.Authorization = new("Bearer", agent.ApiKey);
        for (var i = 0; i < 6; i++)
        {
            using var call = await agentClient.PostAsJsonAsync(_router.BaseUrl + "/v1/chat/completions",
                new { model = "gpt-4o-mini", max_tokens = 30, messages = new[] { new { role = "user", content = "hi" } } });
            call.EnsureSuccessStatusCode();
        }

        await Assertions.Expect(row.Locator(".spent")).ToHaveAttributeAsync("data-spent", "0.000126");
        var width = await row.Locator(".spent").EvaluateAsync<string>("e => e.style.width");
        Assert.StartsWith("25.2", width);
        // (Other tests' calls may appear too: every Supervisor sees every event on the bus.)
        await Assertions.Expect(page.Locator("#feed li", new() { HasText = "research-bot" })).ToHaveCountAsync(6);
        await Assertions.Expect(page.Locator("#models")).ToContainTextAsync("gpt-4o-mini");

        await _bus.PublishAsync(new PiiDetected(Guid.NewGuid(), "r1", agent.Id, null, PiiDirection.Request,
            new Dictionary<string, int> { ["EMAIL_ADDRESS"] = 3, ["CREDIT_CARD"] = 1 }, "redact", DateTimeOffset.UtcNow));
        await _bus.PublishAsync(new CircuitStateChanged(Guid.NewGuid(), "mock-openai", "Closed", null, DateTimeOffset.UtcNow));
        await _bus.PublishAsync(new CircuitStateChanged(Guid.NewGuid(), "mock-anthropic", "Open", "5 consecutive failures", DateTimeOffset.UtcNow));
        await Assertions.Expect(page.Locator("#pii")).ToContainTextAsync("EMAIL_ADDRESS");
        // A call the Router refused for the agent's rate limit shows on its row.
        await _bus.PublishAsync(new LlmRequestFailed(Guid.NewGuid(), "r2", agent.Id, null, "", "gpt-4o-mini", 0, 0, 0, 0m, 1, null, false, 429,
            "rate_limit_exceeded", DateTimeOffset.UtcNow));
        await Assertions.Expect(row).ToContainTextAsync("1 rate-limited");
        await Assertions.Expect(page.Locator("#circuits")).ToContainTextAsync("mock-anthropic: Open");

        Directory.CreateDirectory(ArtifactsDirectory);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ArtifactsDirectory, "dashboard.png"), FullPage = true });

        // Stop from the UI (confirmed in the console's dialog): the state changes live and the processes are gone.
        await row.Locator("button[data-action='stop']").ClickAsync();
        await page.ClickAsync("#confirm-ok");
        await Assertions.Expect(row.Locator(".state")).ToHaveTextAsync("Stopped");
        await Assertions.Expect(row.Locator("button[data-action='start']")).ToBeVisibleAsync();
        Assert.False(AgentApiExtensions.ProcessExists(running.Pid!.Value));
        Assert.False(AgentApiExtensions.ProcessExists(child));
        Assert.Empty(scriptErrors);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ArtifactsDirectory, "dashboard-stopped.png"), FullPage = true });
    }

    [Fact]
    public async Task Rate_limits_are_set_in_the_create_form_and_on_the_agent_page_and_a_revoked_agent_cannot_be_started()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is needed (apt-get install -y chromium)");
        using var admin = _factory.Admin();
        var redis = _app.Redis.GetDatabase();
        using var playwright = await Playwright.CreateAsync();
        var (browser, page, scriptErrors) = await OpenConsoleAsync(playwright);
        await using var closing = browser;
        await page.FillAsync("#admin-key", SupervisorFactory.AdminKey);
        await page.ClickAsync("#login-form button");

        // Created from the form with two of the three limits: POST /v1/agents gets them as limits.
        var name = "limited-" + Guid.NewGuid().ToString("N")[..6];
        await page.ClickAsync("#new-agent");
        await page.FillAsync("#a-name", name);
        await page.FillAsync("#a-command", "bash");
        await page.FillAsync("#a-args", Path.Combine(AppContext.BaseDirectory, "scripts", "idle.sh"));
        await page.FillAsync("#a-budget", "1");
        await page.FillAsync("#a-rpm", "120");
        await page.FillAsync("#a-concurrent", "2");
        await page.ClickAsync("#agent-create");
        await Assertions.Expect(page.Locator("#message-title")).ToHaveTextAsync("Agent created");
        var apiKey = await page.Locator("#shown-key").InputValueAsync();
        await page.ClickAsync("#message-ok");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("#/agents/agt-"));
        var id = page.Url.Split("/#/agents/")[1];
        var created = await admin.GetFromJsonAsync<AgentView>($"/v1/agents/{id}", AgentApiExtensions.Json);
        Assert.Equal(new AgentLimits(120, null, 2), created!.Limits);
        Assert.Equal("120", (string?)await redis.HashGetAsync(AgentKeyFormat.RedisKey(apiKey), AgentKeyFormat.RequestsPerMinuteField));
        await Assertions.Expect(page.Locator("#agent-definition")).ToContainTextAsync("120 calls/min · 2 in flight");

        // Edited on the agent page (confirmed): PATCH replaces them whole, so the emptied field is no limit any more.
        await page.ClickAsync("#agent-actions button[data-action='limits']");
        await Assertions.Expect(page.Locator("#l-rpm")).ToHaveValueAsync("120");
        await page.FillAsync("#l-rpm", "");
        await page.FillAsync("#l-tpm", "5000");
        await page.ClickAsync("#limits-save");
        await page.ClickAsync("#confirm-ok");
        await Assertions.Expect(page.Locator("#agent-definition")).ToContainTextAsync("5,000 tokens/min · 2 in flight");
        var edited = await admin.GetFromJsonAsync<AgentView>($"/v1/agents/{id}", AgentApiExtensions.Json);
        Assert.Equal(new AgentLimits(null, 5000, 2), edited!.Limits);
        Assert.False(await redis.HashExistsAsync(AgentKeyFormat.RedisKey(apiKey), AgentKeyFormat.RequestsPerMinuteField));
        Assert.Equal("5000", (string?)await redis.HashGetAsync(AgentKeyFormat.RedisKey(apiKey), AgentKeyFormat.TokensPerMinuteField));

        // Out of range: the API's 400 is shown in the dialog, which stays open.
        await page.ClickAsync("#agent-actions button[data-action='limits']");
        await page.FillAsync("#l-concurrent", "0");
        await page.ClickAsync("#limits-save");
        await page.ClickAsync("#confirm-ok");
        await Assertions.Expect(page.Locator("#limits-form-error")).ToContainTextAsync("limits.maxConcurrent");
        await page.ClickAsync("#limits-dialog button[data-close]");

        // Revoked (as the Python SDK's session ends): neither the page nor the agents table offers start, restart or a new key.
        using (var revoked = await admin.PostAsync($"/v1/agents/{id}/revoke", null))
        {
            revoked.EnsureSuccessStatusCode();
        }

        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#agent-title .state")).ToHaveTextAsync("Revoked");
        await Assertions.Expect(page.Locator("#agent-actions button[data-action='delete']")).ToBeVisibleAsync();
        foreach (var action in new[] { "start", "stop", "restart", "rotate" })
        {
            await Assertions.Expect(page.Locator($"#agent-actions button[data-action='{action}']")).ToHaveCountAsync(0);
        }

        await page.GotoAsync(_factory.BaseAddress + "#/overview");
        var row = page.Locator($"tr[data-agent-id='{id}']");
        await Assertions.Expect(row.Locator(".state")).ToHaveTextAsync("Revoked");
        await Assertions.Expect(row.Locator("button[data-action='start'], button[data-action='stop']")).ToHaveCountAsync(0);
        Assert.Empty(scriptErrors);
    }

    /// <summary>Chromium at 1280 px on the console's login page; the page's script errors are collected (a test expects none).</summary>
    private async Task<(IBrowser Browser, IPage Page, List<string> ScriptErrors)> OpenConsoleAsync(IPlaywright playwright)
    {
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 820 } });
        var scriptErrors = new List<string>();
        page.PageError += (_, error) => scriptErrors.Add(error);
        await page.GotoAsync(_factory.BaseAddress.ToString());
        return (browser, page, scriptErrors);
    }

    [GeneratedRegex(@"child (\d+)")]
    private static partial Regex ChildLine();
}
