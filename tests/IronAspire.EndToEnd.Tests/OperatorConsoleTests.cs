using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace IronAspire.EndToEnd.Tests;

/// <summary>
/// The operator console in Debian's headless Chromium (Playwright, no downloaded browser) over the whole app: a Python
/// agent created from the console makes real calls through the Router; tiles, charts, spend, notices, live output, the
/// call log, budget edits, key rotation, stop and delete are all watched or done in the browser.
/// </summary>
[Collection(IronAspireAppCollection.Name)]
public sealed class OperatorConsoleTests(IronAspireAppFixture fixture)
{
    private const string Chromium = "/usr/bin/chromium";
    private static readonly LocatorAssertionsToHaveCountOptions Slow = new() { Timeout = 60_000 };

    private string AdminKey => fixture.AdminKey;

    private Uri Console => fixture.App.GetEndpoint("agent-supervisor");

    /// <summary>Where screenshots go: $IRONASPIRE_TEST_ARTIFACTS, else TestResults beside the test assembly.</summary>
    private static string Artifacts
    {
        get
        {
            var folder = Environment.GetEnvironmentVariable("IRONASPIRE_TEST_ARTIFACTS") is { Length: > 0 } configured
                ? configured
                : Path.Combine(AppContext.BaseDirectory, "TestResults");
            Directory.CreateDirectory(folder);
            return folder;
        }
    }

    [Fact(Timeout = 300_000)]
    public async Task An_operator_runs_an_agent_from_the_console_and_watches_it_spend()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is needed (apt-get install -y chromium)");
        var script = Path.Combine(IronAspire.Testing.RepositoryRoot.Find(), "samples", "python", "agent.py");
        var name = "console-" + Guid.NewGuid().ToString("N")[..6];

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        page.SetDefaultTimeout(30_000);
        var scriptErrors = new List<string>();
        page.PageError += (_, error) => scriptErrors.Add(error);
        await SignInAsync(page);

        // The tiles are read from Analytics; remember where the calls count stands.
        await Assertions.Expect(page.Locator("#tile-calls")).ToHaveAttributeAsync("data-calls", new System.Text.RegularExpressions.Regex(@"^\d+$"));
        var callsBefore = long.Parse((await page.Locator("#tile-calls").GetAttributeAsync("data-calls"))!, System.Globalization.CultureInfo.InvariantCulture);

        // Create the agent with the form: a Python agent calling every 0.3 s, with a budget that pays for a handful of calls.
        await page.ClickAsync("#new-agent");
        await page.FillAsync("#a-name", name);
        // The bare name: the Supervisor resolves it for the unprivileged user agents run as (docs/security.md).
        await page.FillAsync("#a-command", "python3");
        await page.FillAsync("#a-args", script);
        await page.FillAsync("#a-env", "AGENT_INTERVAL=0.3\nAGENT_PROMPT=Write to jane.doe@example.com about governed agents.");
        await page.FillAsync("#a-budget", "0.0004");
        await page.SelectOptionAsync("#a-restart", "never");
        await page.ClickAsync("#agent-create");
        await Assertions.Expect(page.Locator("#message-title")).ToHaveTextAsync("Agent created");
        var originalKey = await page.Locator("#shown-key").InputValueAsync();
        Assert.StartsWith("ia-", originalKey, StringComparison.Ordinal);
        await page.ClickAsync("#message-ok");
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("#/agents/agt-"));
        var id = page.Url.Split("/#/agents/")[1];

        // The agent page: running, its output live, its calls, spend against its limit, then the 80 % and 100 % notices.
        await Assertions.Expect(page.Locator("#agent-title")).ToContainTextAsync(name);
        await Assertions.Expect(page.Locator("#agent-output")).ToContainTextAsync("calling", new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator($"#notices .notice[data-subject='{id}'][data-kind='BudgetThreshold'][data-key='80']")).ToHaveCountAsync(1, Slow);
        await Assertions.Expect(page.Locator($"#notices .notice[data-subject='{id}'][data-kind='BudgetExhausted'], " +
            $"#notices .notice[data-subject='{id}'][data-kind='BudgetThreshold'][data-key='100']").First).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await Assertions.Expect(page.Locator("#agent-title .state")).ToHaveTextAsync("BudgetExhausted", new() { Timeout = 30_000 });
        var spent = decimal.Parse((await page.Locator("#agent-budget .spent").GetAttributeAsync("data-spent"))!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(spent is > 0.0002m and <= 0.0004m, $"spent {spent}");
        await Assertions.Expect(page.Locator("#agent-thresholds li").First).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#agent-thresholds")).ToContainTextAsync("80 %");
        await Assertions.Expect(page.Locator("#agent-states")).ToContainTextAsync("Running");
        await Assertions.Expect(page.Locator("#agent-calls tbody tr[data-call-id]").First).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#agent-pii")).ToContainTextAsync("EMAIL_ADDRESS", new() { Timeout = 30_000 });
        await ShotAsync(page, "console-agent.png");

        // The overview moved: more calls in the tile, spend drawn in the chart (stacked by model), the agent in the table.
        await page.ClickAsync("#nav a[data-view='overview']");
        await page.WaitForFunctionAsync("n => Number(document.querySelector('#tile-calls').dataset.calls) >= n", callsBefore + 5);
        await page.WaitForFunctionAsync("() => Number(document.querySelector('#chart-spend').dataset.total) > 0");
        await Assertions.Expect(page.Locator("#chart-spend canvas")).ToHaveCountAsync(1);
        Assert.Contains("gpt-4o-mini", await page.Locator("#chart-spend").GetAttributeAsync("data-groups") ?? "", StringComparison.Ordinal);
        await Assertions.Expect(page.Locator("#chart-calls canvas")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#chart-latency canvas")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator($"#agents tr[data-agent-id='{id}'] .state")).ToHaveTextAsync("BudgetExhausted");
        await page.SelectOptionAsync("#stack-by", "agent");
        await page.WaitForFunctionAsync("id => (document.querySelector('#chart-spend').dataset.groups || '').split(',').includes(id)", id);
        await ShotAsync(page, "console-overview.png");

        // The call log filtered to this agent's completed calls; a call's details (usage, cost, PII counts, never content).
        await page.ClickAsync("#nav a[data-view='calls']");
        await page.SelectOptionAsync("#f-agent", id);
        await page.SelectOptionAsync("#f-status", "completed");
        await page.ClickAsync("#call-filters button[type=submit]");
        var rows = page.Locator("#calls tbody tr[data-call-id]");
        await Assertions.Expect(page.Locator($"#calls[data-agent='{id}'][data-status='completed']")).ToHaveCountAsync(1);
        await Assertions.Expect(rows.First).ToBeVisibleAsync();
        // Read every row in one evaluation: the log re-renders as calls arrive, so row-by-row locators can outlive their rows.
        var shown = await rows.EvaluateAllAsync<string[][]>(
            "rows => rows.map(r => [r.innerText, r.querySelector('.status.ok')?.textContent ?? ''])");
        Assert.NotEmpty(shown);
        Assert.All(shown, row =>
        {
            Assert.Contains(name, row[0], StringComparison.Ordinal);
            Assert.Equal("200", row[1].Trim());
        });

        await rows.First.Locator("button[data-event-id]").ClickAsync();
        await Assertions.Expect(page.Locator("#call-details")).ToContainTextAsync("Request id");
        await Assertions.Expect(page.Locator("#call-details")).ToContainTextAsync("EMAIL_ADDRESS");
        Assert.DoesNotContain("jane.doe", await page.Locator("#call-details").InnerTextAsync(), StringComparison.Ordinal);
        await ShotAsync(page, "console-call.png", fullPage: false);
        await page.Keyboard.PressAsync("Escape");
        await page.SelectOptionAsync("#f-status", "failed");
        await page.ClickAsync("#call-filters button[type=submit]");
        await Assertions.Expect(page.Locator($"#calls[data-agent='{id}'][data-status='failed']")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#calls tbody tr[data-call-id] .status.ok")).ToHaveCountAsync(0);
        await page.SelectOptionAsync("#f-status", "");
        await page.ClickAsync("#call-filters button[type=submit]");
        await Assertions.Expect(rows.First).ToBeVisibleAsync();
        await ShotAsync(page, "console-calls.png");

        // Raise the budget (confirmed): the exhausted agent becomes startable; start it and its output goes on.
        await page.GotoAsync(new Uri(Console, $"/#/agents/{id}").ToString());
        await page.ClickAsync("#agent-actions button[data-action='budget']");
        await page.FillAsync("#b-limit", "0.002");
        await page.ClickAsync("#budget-save");
        await page.ClickAsync("#confirm-ok");
        await Assertions.Expect(page.Locator("#agent-limit")).ToHaveTextAsync("$0.002000");
        await Assertions.Expect(page.Locator("#agent-title .state")).ToHaveTextAsync("Stopped");
        var linesBefore = await page.Locator("#agent-output li").CountAsync();
        await page.ClickAsync("#agent-actions button[data-action='start']");
        await page.ClickAsync("#confirm-ok");
        await Assertions.Expect(page.Locator("#agent-title .state")).ToHaveTextAsync("Running");
        await page.WaitForFunctionAsync("n => document.querySelectorAll('#agent-output li').length >= n", linesBefore + 3);

        // A notice stays until acknowledged, then shows as acknowledged on the alerts page.
        var eighty = page.Locator($"#notices .notice[data-subject='{id}'][data-kind='BudgetThreshold'][data-key='80']");
        await eighty.Locator("button[data-ack]").ClickAsync();
        await Assertions.Expect(eighty).ToHaveCountAsync(0);

        // Rotate the key (confirmed; the new key is shown once): the Router refuses the old key (once its 2 s key cache
        // has passed) and takes the new one.
        Assert.Equal(HttpStatusCode.OK, await ChatAsync(originalKey));
        await page.ClickAsync("#agent-actions button[data-action='rotate']");
        await page.ClickAsync("#confirm-ok");
        await Assertions.Expect(page.Locator("#message-title")).ToHaveTextAsync("Key rotated");
        var newKey = await page.Locator("#shown-key").InputValueAsync();
        Assert.NotEqual(originalKey, newKey);
        await page.ClickAsync("#message-ok");
        Assert.Equal(HttpStatusCode.Unauthorized, await RefusedWithinAsync(originalKey));
        Assert.Equal(HttpStatusCode.OK, await ChatAsync(newKey));

        // Stop, then delete (both confirmed): the agent leaves the console and its key stops working.
        await page.ClickAsync("#agent-actions button[data-action='stop']");
        await page.ClickAsync("#confirm-ok");
        await Assertions.Expect(page.Locator("#agent-title .state")).ToHaveTextAsync("Stopped", new() { Timeout = 30_000 });
        await ShotAsync(page, "console-agent-stopped.png");
        await page.ClickAsync("#agent-actions button[data-action='delete']");
        await page.ClickAsync("#confirm-ok");
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("#/overview$"));
        await Assertions.Expect(page.Locator($"#agents tr[data-agent-id='{id}']")).ToHaveCountAsync(0);
        Assert.Equal(HttpStatusCode.Unauthorized, await RefusedWithinAsync(newKey));

        await page.ClickAsync("#nav a[data-view='alerts']");
        await Assertions.Expect(page.Locator("#alerts tbody tr", new() { HasText = "80 % used" }).First).ToBeVisibleAsync();
        await ShotAsync(page, "console-alerts.png");
        Assert.Empty(scriptErrors);
    }

    [Fact(Timeout = 180_000)]
    public async Task The_console_works_at_phone_width_is_labelled_keyboard_reachable_and_reconnects()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is needed (apt-get install -y chromium)");
        using var supervisor = fixture.App.CreateHttpClient("agent-supervisor");
        supervisor.DefaultRequestHeaders.Authorization = new("Bearer", AdminKey);
        using var created = await supervisor.PostAsJsonAsync("/v1/agents", new { name = "phone-" + Guid.NewGuid().ToString("N")[..6], budgetUsd = 1m });
        var agent = (await created.Content.ReadFromJsonAsync<JsonObject>())!;
        var id = agent["id"]!.GetValue<string>();
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await ChatAsync(agent["apiKey"]!.GetValue<string>()));
        }

        await fixture.WaitForSummaryAsync(id, 4);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 390, Height = 844 }, IsMobile = true, HasTouch = true, DeviceScaleFactor = 2,
        });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        var scriptErrors = new List<string>();
        page.PageError += (_, error) => scriptErrors.Add(error);
        // The live WebSocket passes through the test, which can drop it as a failing network would.
        IWebSocketRoute? live = null;
        await page.RouteWebSocketAsync(new System.Text.RegularExpressions.Regex("/v1/events"), socket =>
        {
            socket.ConnectToServer();
            live = socket;
        });
        await SignInAsync(page);
        await Assertions.Expect(page.Locator($"#agents tr[data-agent-id='{id}']")).ToHaveCountAsync(1);
        await page.WaitForFunctionAsync("() => document.querySelector('#chart-spend canvas')");

        // Nothing wider than the screen (tables scroll inside their own box).
        foreach (var view in new[] { "overview", $"agents/{id}", "calls", "alerts" })
        {
            await page.GotoAsync(new Uri(Console, $"/#/{view}").ToString());
            await page.WaitForTimeoutAsync(500);
            // (A mobile browser widens its layout viewport to fit wide content, so the width is compared to the device's.)
            var wide = await page.EvaluateAsync<string[]>(WiderThanPhone);
            Assert.True(wide.Length == 0 && await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth") <= 391,
                $"#/{view} is wider than 390 px: " + string.Join(", ", wide));
            Assert.Equal(0, await UnlabelledControlsAsync(page));
        }

        await page.GotoAsync(new Uri(Console, "/#/overview").ToString());
        await page.WaitForFunctionAsync("() => document.querySelector('#chart-spend canvas')");
        await ShotAsync(page, "console-overview-phone.png");
        await page.GotoAsync(new Uri(Console, $"/#/agents/{id}").ToString());
        await Assertions.Expect(page.Locator("#agent-title")).ToContainTextAsync("phone-");
        await ShotAsync(page, "console-agent-phone.png");

        // Keyboard: from the top of the page, Tab reaches the sections, the range, the new-agent button and the agent's link.
        await page.GotoAsync(new Uri(Console, "/#/overview").ToString());
        await Assertions.Expect(page.Locator($"#agents tr[data-agent-id='{id}']")).ToHaveCountAsync(1);
        var reached = new HashSet<string>();
        await page.Locator("body").FocusAsync();
        var wanted = new HashSet<string> { "calls", "alerts", "range", "stack-by", "new-agent", $"#/agents/{id}" };
        for (var i = 0; i < 200 && !wanted.IsSubsetOf(reached); i++)
        {
            await page.Keyboard.PressAsync("Tab");
            reached.Add(await page.EvaluateAsync<string>(
                "() => { const e = document.activeElement; return e.id || e.getAttribute('data-view') || e.getAttribute('href') || e.tagName; }"));
        }

        Assert.Superset(wanted, reached);
        await page.FocusAsync("#new-agent");
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("#agent-dialog")).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(page.Locator("#agent-dialog")).ToBeHiddenAsync();

        // The WebSocket drops and the console reconnects by itself; a call made afterwards shows live.
        await Assertions.Expect(page.Locator("#live-text")).ToHaveTextAsync("live");
        var dropped = live!;
        await dropped.CloseAsync(new() { Code = 1011, Reason = "dropped by the test" });
        await Assertions.Expect(page.Locator("#live-text")).ToHaveTextAsync("offline");
        await Assertions.Expect(page.Locator("#live-text")).ToHaveTextAsync("live", new() { Timeout = 30_000 });
        Assert.NotSame(dropped, live);
        Assert.Equal(HttpStatusCode.OK, await ChatAsync(agent["apiKey"]!.GetValue<string>()));
        await Assertions.Expect(page.Locator($"#agents tr[data-agent-id='{id}'] td").Nth(3)).ToHaveTextAsync("5", new() { Timeout = 30_000 });
        Assert.Empty(scriptErrors);
        await supervisor.DeleteAsync($"/v1/agents/{id}");
    }

    [Fact]
    public async Task Analytics_reads_through_the_supervisor_match_analytics_and_need_the_admin_key()
    {
        var key = await fixture.RegisterAgentKeyAsync("console-read-" + Guid.NewGuid().ToString("N")[..6]);
        var agentId = (await RouterAgentAsync(key))!;
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await ChatAsync(key));
        }

        var direct = await fixture.WaitForSummaryAsync(agentId, 3);
        using var supervisor = fixture.App.CreateHttpClient("agent-supervisor");
        Assert.Equal(HttpStatusCode.Unauthorized, (await supervisor.GetAsync($"/v1/analytics/summary?agentId={agentId}")).StatusCode);
        supervisor.DefaultRequestHeaders.Authorization = new("Bearer", AdminKey);
        var through = await supervisor.GetFromJsonAsync<JsonObject>($"/v1/analytics/summary?agentId={agentId}");
        Assert.Equal(direct.ToJsonString(), through!.ToJsonString());
        var calls = await supervisor.GetFromJsonAsync<JsonObject>($"/v1/analytics/calls?agentId={agentId}&limit=2");
        Assert.Equal(2, calls!["items"]!.AsArray().Count);
        Assert.NotNull(calls["next"]);
        using var invalid = await supervisor.GetAsync("/v1/analytics/calls?status=maybe");
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Contains("status", await invalid.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static Task<IBrowser> LaunchAsync(IPlaywright playwright) => playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
    {
        ExecutablePath = Chromium,
        Headless = true,
        Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });

    /// <summary>A screenshot from the top of the page (a full-page shot of a scrolled page draws the sticky header mid-page).</summary>
    private static async Task ShotAsync(IPage page, string name, bool fullPage = true)
    {
        if (fullPage)
        {
            await page.EvaluateAsync("() => window.scrollTo(0, 0)");
        }

        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Artifacts, name), FullPage = fullPage, Animations = ScreenshotAnimations.Disabled });
    }

    private async Task SignInAsync(IPage page)
    {
        await page.GotoAsync(Console.ToString());
        await page.FillAsync("#admin-key", AdminKey);
        await page.ClickAsync("#login-form button");
        await Assertions.Expect(page.Locator("#live-text")).ToHaveTextAsync("live");
    }

    /// <summary>Elements reaching past a 390 px screen, except inside a box that clips or scrolls within the screen.</summary>
    private const string WiderThanPhone = """
        () => {
          const clipped = (e) => {
            for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
              if (getComputedStyle(p).overflowX !== 'visible' && p.getBoundingClientRect().right <= 391) return true;
            }
            return false;
          };
          return [...document.querySelectorAll('body *')]
            .filter(e => e.getClientRects().length && e.getBoundingClientRect().right > 391 && !clipped(e))
            .map(e => e.tagName + '#' + e.id + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).slice(0, 8);
        }
        """;

    /// <summary>Form controls with neither a label nor an accessible name.</summary>
    private static Task<int> UnlabelledControlsAsync(IPage page) => page.EvaluateAsync<int>("""
        () => [...document.querySelectorAll('input, select, textarea, button')]
            .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !(e.textContent || '').trim()).length
        """);

    /// <summary>The agent id the Router's key lookup gives a key registered by the fixture.</summary>
    private async Task<string?> RouterAgentAsync(string key)
    {
        await using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(await fixture.App.ConnectionStringAsync("cache"));
        return await redis.GetDatabase().HashGetAsync(IronAspire.Contracts.Agents.AgentKeyFormat.RedisKey(key), IronAspire.Contracts.Agents.AgentKeyFormat.AgentIdField);
    }

    /// <summary>The Router's answer to the key once it stops being accepted, or OK if it still is after 10 s.</summary>
    private async Task<HttpStatusCode> RefusedWithinAsync(string key)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        HttpStatusCode status;
        while ((status = await ChatAsync(key)) == HttpStatusCode.OK && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
        }

        return status;
    }

    private async Task<HttpStatusCode> ChatAsync(string key)
    {
        using var client = new HttpClient { BaseAddress = fixture.RouterUrl };
        client.DefaultRequestHeaders.Authorization = new("Bearer", key);
        using var response = await client.PostAsJsonAsync("/v1/chat/completions",
            new { model = "gpt-4o-mini", max_tokens = 16, messages = new[] { new { role = "user", content = "hi" } } });
        return response.StatusCode;
    }
}
