using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IronAspire.AgentSupervisor;
using Microsoft.Extensions.DependencyInjection;

namespace IronAspire.AgentSupervisor.Tests;

/// <summary>Issue 13: an agent's output costs the Supervisor a bounded amount of memory and disk, and goes with the agent.</summary>
public sealed class AgentLogLimitsTests : IAsyncLifetime
{
    private const int MaxLineChars = 1000;
    private const long MaxFileBytes = 64 * 1024;
    private SupervisorFactory _factory = null!;

    public async Task InitializeAsync() => _factory = await SupervisorFactory.StartAsync(null, null, null, null, null, new Dictionary<string, string?>
    {
        ["Supervisor:LogMaxLineChars"] = MaxLineChars.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Supervisor:LogMaxFileBytes"] = MaxFileBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
    });

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    private string LogDirectory => _factory.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<SupervisorOptions>>().Value.LogDirectory;

    [Fact]
    public async Task A_line_of_200_million_characters_is_cut_at_the_cap_without_the_supervisor_holding_it()
    {
        using var admin = _factory.Admin();
        var before = GC.GetTotalAllocatedBytes(precise: true);
        // 200 M characters without a newline, then a short line.
        var created = await admin.CreateAgentAsync(new
        {
            name = "long-liner", command = "bash", budgetUsd = 1,
            args = new[] { "-c", "head -c 200000000 /dev/zero | tr '\\0' x; echo; echo after" },
        });
        await admin.WaitForAsync(created.Id, a => a.State is "Exited", TimeSpan.FromSeconds(120));
        JsonArray lines = [];
        for (var i = 0; i < 100 && !lines.Any(l => l!["text"]!.GetValue<string>() == "after"); i++)
        {
            await Task.Delay(100);
            lines = (await admin.GetFromJsonAsync<JsonObject>($"/v1/agents/{created.Id}/logs"))!["lines"]!.AsArray();
        }

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        var cut = lines.Select(l => l!["text"]!.GetValue<string>()).First(t => t.StartsWith('x'));
        Assert.StartsWith(new string('x', MaxLineChars) + " [line cut: ", cut);
        Assert.Contains((200_000_000 - MaxLineChars).ToString(System.Globalization.CultureInfo.InvariantCulture), cut);
        Assert.Contains(lines, l => l!["text"]!.GetValue<string>() == "after");
        // Holding the line would have cost 400 MB (UTF-16) at least; reading it in chunks costs a small fraction.
        Assert.True(allocated < 100_000_000, $"the test process allocated {allocated / 1_000_000} MB while the agent printed");
    }

    [Fact]
    public async Task The_log_file_is_rotated_at_its_cap_and_deleting_the_agent_deletes_its_logs()
    {
        using var admin = _factory.Admin();
        var created = await admin.CreateAgentAsync(new
        {
            name = "chatty", command = "bash", budgetUsd = 1,
            args = new[] { "-c", "for i in $(seq 1 5000); do echo \"line $i of a chatty agent that fills its log\"; done" },
        });
        await admin.WaitForAsync(created.Id, a => a.State is "Exited", TimeSpan.FromSeconds(60));
        var path = Path.Combine(LogDirectory, created.Id + ".log");
        for (var i = 0; i < 100 && !(await admin.GetFromJsonAsync<JsonObject>($"/v1/agents/{created.Id}/logs?tail=1"))!["lines"]!.AsArray()
            .Any(l => l!["text"]!.GetValue<string>().Contains("line 5000 ")); i++)
        {
            await Task.Delay(100);
        }

        // ~300 KB were printed: the current file and one rotated file, each within the cap (plus the line that crossed it).
        Assert.True(new FileInfo(path).Length <= MaxFileBytes + 200, $"{new FileInfo(path).Length} bytes");
        Assert.True(File.Exists(path + ".1"));
        Assert.True(new FileInfo(path + ".1").Length <= MaxFileBytes + 200);
        Assert.False(File.Exists(path + ".2"));

        using var delete = await admin.DeleteAsync($"/v1/agents/{created.Id}");
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        Assert.False(File.Exists(path));
        Assert.False(File.Exists(path + ".1"));
    }
}
