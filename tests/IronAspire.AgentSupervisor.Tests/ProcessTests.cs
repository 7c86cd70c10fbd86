using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace IronAspire.AgentSupervisor.Tests;

/// <summary>Real child processes under supervision (grace period 2 s, restart backoff from 200 ms).</summary>
public sealed partial class ProcessTests(SupervisorFixture fixture) : IClassFixture<SupervisorFixture>
{
    private readonly SupervisorFactory _factory = fixture.Factory;

    private static string Script(string name) => Path.Combine(AppContext.BaseDirectory, "scripts", name);

    [Fact]
    public async Task Agent_ignoring_SIGTERM_is_killed_after_the_grace_period_with_its_children()
    {
        using var admin = _factory.Admin();
        var created = await admin.CreateAgentAsync(new { name = "stubborn", command = "bash", args = new[] { Script("stubborn.sh") }, budgetUsd = 1 });
        var running = await admin.WaitForAsync(created.Id, a => a.State == "Running" && a.Pid is not null);
        var pids = await PidsAsync(admin, created.Id, 2);
        Assert.Contains(running.Pid!.Value, pids);
        Assert.All(pids, pid => Assert.True(AgentApiExtensions.ProcessExists(pid)));

        var watch = Stopwatch.StartNew();
        using var stop = await admin.PostAsync($"/v1/agents/{created.Id}/stop", null);
        watch.Stop();
        stop.EnsureSuccessStatusCode();

        // SIGTERM was ignored by both, so only SIGKILL after the 2 s grace period ended them.
        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(1.9), TimeSpan.FromSeconds(10));
        var stopped = await admin.AgentAsync(created.Id);
        Assert.Equal("Stopped", stopped.State);
        Assert.Equal(137, stopped.ExitCode); // 128 + SIGKILL
        Assert.All(pids, pid => Assert.False(AgentApiExtensions.ProcessExists(pid), $"pid {pid} survived the stop"));
    }

    [Fact]
    public async Task Well_behaved_agent_stops_on_SIGTERM_at_once_and_its_grandchild_goes_too()
    {
        using var admin = _factory.Admin();
        var created = await admin.CreateAgentAsync(new { name = "idle", command = "bash", args = new[] { Script("idle.sh") }, budgetUsd = 1 });
        var running = await admin.WaitForAsync(created.Id, a => a.State == "Running");
        var child = (await PidsAsync(admin, created.Id, 1)).Single();

        using var stop = await admin.PostAsync($"/v1/agents/{created.Id}/stop", null);
        stop.EnsureSuccessStatusCode();
        Assert.False(AgentApiExtensions.ProcessExists(running.Pid!.Value));
        Assert.False(AgentApiExtensions.ProcessExists(child));
        var stopped = await admin.AgentAsync(created.Id);
        Assert.Equal("Stopped", stopped.State);
        Assert.Equal(143, stopped.ExitCode); // 128 + SIGTERM: it ended on the polite signal, not on the SIGKILL after the grace period

        // Stopped agents start again on request.
        using var start = await admin.PostAsync($"/v1/agents/{created.Id}/start", null);
        start.EnsureSuccessStatusCode();
        var again = await admin.WaitForAsync(created.Id, a => a.State == "Running");
        Assert.NotEqual(running.Pid, again.Pid);
        using var delete = await admin.DeleteAsync($"/v1/agents/{created.Id}");
        Assert.False(AgentApiExtensions.ProcessExists(again.Pid!.Value));
    }

    [Fact]
    public async Task Agent_that_exits_leaves_no_grandchildren_behind()
    {
        using var admin = _factory.Admin();
        var created = await admin.CreateAgentAsync(new
        {
            name = "leaver", command = "bash", args = new[] { "-c", "sleep 1000 & echo child $!; exit 0" }, budgetUsd = 1,
        });
        var exited = await admin.WaitForAsync(created.Id, a => a.State == "Exited");
        Assert.Equal(0, exited.ExitCode);
        var child = (await PidsAsync(admin, created.Id, 1)).Single();
        await WaitUntilAsync(() => !AgentApiExtensions.ProcessExists(child), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_grandchild_in_a_session_of_its_own_is_stopped_with_its_agent()
    {
        using var admin = _factory.Admin();
        var created = await admin.CreateAgentAsync(new
        {
            name = "escaper", command = "bash", budgetUsd = 1,
            // setsid: the child leaves the agent's process group and session, so a group signal misses it.
            args = new[] { "-c", "setsid sleep 1000 & echo child $!; sleep 1000" },
        });
        await admin.WaitForAsync(created.Id, a => a.State == "Running");
        var child = (await PidsAsync(admin, created.Id, 1)).Single();
        Assert.True(AgentApiExtensions.ProcessExists(child));

        using var stop = await admin.PostAsync($"/v1/agents/{created.Id}/stop", null);
        stop.EnsureSuccessStatusCode();
        await WaitUntilAsync(() => !AgentApiExtensions.ProcessExists(child), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_grandchild_in_a_session_of_its_own_whose_parent_exited_goes_when_the_agent_exits()
    {
        using var admin = _factory.Admin();
        var created = await admin.CreateAgentAsync(new
        {
            name = "double-escaper", command = "bash", budgetUsd = 1,
            // Its own session, and its parent (a subshell) gone at once: only the subreaper or the run marker finds it.
            args = new[] { "-c", "( setsid sleep 1000 & echo child $! ); sleep 0.5; exit 0" },
        });
        var exited = await admin.WaitForAsync(created.Id, a => a.State == "Exited");
        Assert.Equal(0, exited.ExitCode);
        var child = (await PidsAsync(admin, created.Id, 1)).Single();
        await WaitUntilAsync(() => !AgentApiExtensions.ProcessExists(child), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Crashing_agent_is_restarted_with_backoff_until_maxRestarts()
    {
        using var admin = _factory.Admin();
        var created = await admin.CreateAgentAsync(new
        {
            name = "crasher", command = "bash", args = new[] { Script("crash.sh") }, budgetUsd = 1, restart = "on-failure", maxRestarts = 2,
        });
        var failed = await admin.WaitForAsync(created.Id, a => a.State == "Failed" && a.Restarts == 2 && a.Reason!.Contains("gave up"));
        Assert.Equal(3, failed.ExitCode);

        // Three runs: the first and two restarts, 200 ms then 400 ms apart at least (exponential backoff).
        var starts = (await admin.LogsAsync(created.Id)).Select(l => StartedAt().Match(l.Text)).Where(m => m.Success)
            .Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(3, starts.Length);
        Assert.True(starts[1] - starts[0] >= 0.2, $"first restart after {starts[1] - starts[0]} s");
        Assert.True(starts[2] - starts[1] >= 0.4, $"second restart after {starts[2] - starts[1]} s");

        // No more restarts come.
        await Task.Delay(1000);
        var final = await admin.AgentAsync(created.Id);
        Assert.Equal("Failed", final.State);
        Assert.Equal(2, final.Restarts);
    }

    [Fact]
    public async Task Agent_never_restarted_with_policy_never()
    {
        using var admin = _factory.Admin();
        var created = await admin.CreateAgentAsync(new { name = "once", command = "bash", args = new[] { Script("crash.sh") }, budgetUsd = 1 });
        var failed = await admin.WaitForAsync(created.Id, a => a.State == "Failed");
        await Task.Delay(600);
        Assert.Equal(0, (await admin.AgentAsync(created.Id)).Restarts);
        Assert.Single(await admin.LogsAsync(created.Id), l => l.Text.StartsWith("started at", StringComparison.Ordinal));
        Assert.Equal(3, failed.ExitCode);
    }

    private static async Task<int[]> PidsAsync(HttpClient admin, string id, int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var pids = (await admin.LogsAsync(id)).Select(l => PidLine().Match(l.Text)).Where(m => m.Success)
                .Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToArray();
            if (pids.Length >= count)
            {
                return pids;
            }

            Assert.True(DateTime.UtcNow < deadline, "the agent did not print its pids");
            await Task.Delay(50);
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(50);
        }
    }

    [GeneratedRegex(@"^(?:child|parent) (\d+)$")]
    private static partial Regex PidLine();

    [GeneratedRegex(@"^started at ([\d.]+)$")]
    private static partial Regex StartedAt();
}
