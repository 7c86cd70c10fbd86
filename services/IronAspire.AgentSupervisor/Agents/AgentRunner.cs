using System.Collections.Concurrent;
using IronAspire.AgentSupervisor.Budgets;
using IronAspire.Contracts.Agents;
using IronAspire.Contracts.Events;
using IronAspire.EventBus;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IronAspire.AgentSupervisor.Agents;

/// <summary>
/// Runs the agents: starts their processes, follows their exits, restarts them per policy, stops them (gracefully,
/// then forcibly) and records every state change in PostgreSQL, on the live feed and on the bus.
/// Each agent's transitions are serialised by its own gate.
/// </summary>
public sealed partial class AgentRunner(
    IServiceScopeFactory scopes,
    AgentKeyStore keys,
    LiveFeed feed,
    AgentActivity activity,
    AgentOutput output,
    AlertBook alerts,
    IEventPublisher publisher,
    IOptions<SupervisorOptions> options,
    TimeProvider time,
    ILogger<AgentRunner> logger) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, AgentRuntime> _runtimes = new();
    private readonly CancellationTokenSource _shutdown = new();
    private readonly Lazy<AgentUser?> _agentUser = new(() => AgentUser.Resolve(options.Value.AgentUser));
    private SupervisorOptions Options => options.Value;

    public string RouterBaseUrl => Options.RouterBaseUrl.TrimEnd('/');

    /// <summary>The user agents run as; null when they run as the Supervisor's own (docs/security.md).</summary>
    public AgentUser? AgentUser => _agentUser.Value;

    public async Task<(AgentRecord Agent, string ApiKey)> CreateAsync(NewAgent request, CancellationToken cancellationToken)
    {
        var apiKey = AgentKeyFormat.NewKey();
        var agent = new AgentRecord
        {
            Id = "agt-" + Guid.NewGuid().ToString("N")[..16],
            Name = request.Name,
            ProjectId = request.ProjectId,
            Command = request.Command,
            Args = request.Args,
            WorkingDirectory = request.WorkingDirectory,
            Env = request.Env,
            Models = request.Models,
            RequestsPerMinute = request.Limits?.RequestsPerMinute,
            TokensPerMinute = request.Limits?.TokensPerMinute,
            MaxConcurrent = request.Limits?.MaxConcurrent,
            Restart = request.Restart,
            MaxRestarts = request.MaxRestarts,
            KeyHash = AgentKeyFormat.Hash(apiKey),
            State = AgentState.Pending,
            CreatedAt = time.GetUtcNow(),
        };

        // The budget first: an agent must never exist, even briefly, with a key and no limit of its own.
        await using (var scope = scopes.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<IAgentBudgets>().SetAsync(agent.Id, request.BudgetUsd, request.BudgetPeriod, cancellationToken);
            var db = scope.ServiceProvider.GetRequiredService<SupervisorDbContext>();
            db.Agents.Add(agent);
            await db.SaveChangesAsync(cancellationToken);
        }

        await keys.PublishAsync(agent.KeyHash, agent);
        Log.Created(logger, agent.Id, agent.Name, agent.Command ?? "(external)");
        await NotifyAsync(agent);

        if (!agent.IsExternal)
        {
            agent = (await StartAsync(agent.Id, cancellationToken)).Agent ?? agent;
        }

        return (agent, apiKey);
    }

    /// <summary>Starts a stopped agent (the operator's start: its restart count begins again).</summary>
    public async Task<StartResult> StartAsync(string agentId, CancellationToken cancellationToken)
    {
        var runtime = Runtime(agentId);
        using var _ = await runtime.Gate.LockAsync(cancellationToken);
        var agent = await LoadAsync(agentId, cancellationToken);
        if (agent is null)
        {
            return new StartResult(null, StartRefusal.NotFound, "No such agent.");
        }

        if (agent.IsExternal)
        {
            return new StartResult(agent, StartRefusal.Conflict, "An external agent runs elsewhere; only its key and budget are managed here.");
        }

        if (agent.State.IsActive() || runtime.Process is not null)
        {
            return new StartResult(agent, StartRefusal.Conflict, $"The agent is {agent.State}.");
        }

        if (agent.State == AgentState.Revoked)
        {
            return new StartResult(agent, StartRefusal.Conflict, "The agent's keys were revoked.");
        }

        if (agent.State == AgentState.BudgetExhausted)
        {
            // Raising the budget (PUT /v1/agents/{id}/budget) moves it to Stopped; until then it stays down.
            return new StartResult(agent, StartRefusal.Conflict, "The agent's budget is exhausted: raise it first (PUT /v1/agents/{id}/budget).");
        }

        runtime.CancelRestart();
        agent.Restarts = 0;
        await LaunchAsync(agent, runtime, cancellationToken);
        return new StartResult(agent, StartRefusal.None, null);
    }

    public async Task<AgentRecord?> StopAsync(string agentId, CancellationToken cancellationToken) =>
        await StopAsync(agentId, AgentState.Stopped, "Stopped by the operator.", cancellationToken);

    public async Task BudgetExhaustedAsync(BudgetScope scope, string budgetId, CancellationToken cancellationToken)
    {
        List<string> ids;
        await using (var serviceScope = scopes.CreateAsyncScope())
        {
            var db = serviceScope.ServiceProvider.GetRequiredService<SupervisorDbContext>();
            ids = await (scope == BudgetScope.Agent
                    ? db.Agents.Where(a => a.Id == budgetId)
                    : db.Agents.Where(a => a.ProjectId == budgetId))
                .Select(a => a.Id).ToListAsync(cancellationToken);
        }

        var reason = scope == BudgetScope.Agent ? "The agent's budget is exhausted." : $"Project {budgetId}'s budget is exhausted.";
        await Task.WhenAll(ids.Select(id => StopAsync(id, AgentState.BudgetExhausted, reason, cancellationToken)));
    }

    /// <summary>Sets the agent's limit; without <paramref name="period"/> the budget keeps the period it has.</summary>
    public async Task<AgentBudget?> SetBudgetAsync(string agentId, decimal limitUsd, string? period, CancellationToken cancellationToken)
    {
        var runtime = Runtime(agentId);
        using var _ = await runtime.Gate.LockAsync(cancellationToken);
        var agent = await LoadAsync(agentId, cancellationToken);
        if (agent is null)
        {
            return null;
        }

        await using var scope = scopes.CreateAsyncScope();
        var budgets = scope.ServiceProvider.GetRequiredService<IAgentBudgets>();
        // The Budget service resets an absent period to lifetime: keep the current one unless a new one is asked for.
        period ??= (await budgets.GetAsync(agentId, cancellationToken))?.Period;
        var budget = await budgets.SetAsync(agentId, limitUsd, period, cancellationToken);
        if (agent.State == AgentState.BudgetExhausted && budget.Remaining > 0)
        {
            // Raising the budget unblocks the agent: it can be started again (it is not started behind the operator's back).
            await TransitionAsync(agent, agent.IsExternal ? AgentState.Pending : AgentState.Stopped, "The budget was raised.", cancellationToken);
        }

        return budget;
    }

    /// <summary>
    /// Stops the agent if it runs and revokes its keys for good (state <see cref="AgentState.Revoked"/>); the record, its
    /// budget and its history stay. Null when there is no such agent.
    /// </summary>
    public async Task<AgentRecord?> RevokeAsync(string agentId, CancellationToken cancellationToken)
    {
        const string reason = "Its keys were revoked.";
        if (await StopAsync(agentId, AgentState.Revoked, reason, cancellationToken) is null)
        {
            return null;
        }

        var runtime = Runtime(agentId);
        using var _ = await runtime.Gate.LockAsync(cancellationToken);
        var agent = await LoadAsync(agentId, cancellationToken);
        if (agent is null)
        {
            return null;
        }

        // In either order a crash in between is safe: the start's key sync deletes the keys of agents recorded as Revoked,
        // and a client that got no answer revokes again.
        await keys.RevokeAsync(agent.KeyHash);
        await RevokeRunKeyAsync(agent);
        if (agent.State != AgentState.Revoked)
        {
            await TransitionAsync(agent, AgentState.Revoked, reason, cancellationToken);
        }

        Log.Revoked(logger, agentId);
        return agent;
    }

    /// <summary>Stops the agent if it runs, then starts it (the operator's restart: its restart count begins again).</summary>
    public async Task<StartResult> RestartAsync(string agentId, CancellationToken cancellationToken)
    {
        var agent = await LoadAsync(agentId, cancellationToken);
        if (agent is null)
        {
            return new StartResult(null, StartRefusal.NotFound, "No such agent.");
        }

        if (agent.IsExternal)
        {
            return new StartResult(agent, StartRefusal.Conflict, "An external agent runs elsewhere; only its key and budget are managed here.");
        }

        if (agent.State.IsActive() || IsRunning(agentId))
        {
            await StopAsync(agentId, AgentState.Stopped, "Restarted by the operator.", cancellationToken);
        }

        return await StartAsync(agentId, cancellationToken);
    }

    /// <summary>
    /// Replaces the models the agent may call (empty: every model). Its keys are rewritten for the Router at once, so the
    /// running process is held to the new list from its next call. Null when there is no such agent.
    /// </summary>
    public Task<AgentRecord?> SetModelsAsync(string agentId, List<string> models, CancellationToken cancellationToken) =>
        ChangeKeyedSettingsAsync(agentId, agent => agent.Models = models, cancellationToken);

    /// <summary>
    /// Replaces the agent's rate limits: stored, then written to its key records (the agent key and the current run's),
    /// so the Router applies them within its key cache time. Null when there is no such agent.
    /// </summary>
    public Task<AgentRecord?> SetLimitsAsync(string agentId, AgentLimits limits, CancellationToken cancellationToken) =>
        ChangeKeyedSettingsAsync(agentId, agent =>
        {
            agent.RequestsPerMinute = limits.RequestsPerMinute;
            agent.TokensPerMinute = limits.TokensPerMinute;
            agent.MaxConcurrent = limits.MaxConcurrent;
        }, cancellationToken);

    /// <summary>
    /// Changes settings the Router reads from the key records (models, rate limits): stored, then the agent key and the
    /// current run's key are rewritten. A revoked agent's record changes but its keys stay gone.
    /// </summary>
    private async Task<AgentRecord?> ChangeKeyedSettingsAsync(string agentId, Action<AgentRecord> change, CancellationToken cancellationToken)
    {
        var runtime = Runtime(agentId);
        using var _ = await runtime.Gate.LockAsync(cancellationToken);
        var agent = await LoadAsync(agentId, cancellationToken);
        if (agent is null)
        {
            return null;
        }

        change(agent);
        await SaveAsync(agent);
        if (agent.State == AgentState.Revoked)
        {
            return agent;
        }

        await keys.PublishAsync(agent.KeyHash, agent);
        if (agent.RunKeyHash is { } runKey && agent.State.IsActive())
        {
            await keys.PublishAsync(runKey, agent);
        }

        return agent;
    }

    /// <summary>
    /// Replaces the agent's long-lived key: the new one is returned (once), the old one is refused by the Router from now
    /// on. The key of a run in progress is the run's own and is not affected (a restart gives the run a new one).
    /// A revoked agent gets no new key (ApiKey null): its keys never come back.
    /// </summary>
    public async Task<(AgentRecord Agent, string? ApiKey)?> RotateKeyAsync(string agentId, CancellationToken cancellationToken)
    {
        var runtime = Runtime(agentId);
        using var _ = await runtime.Gate.LockAsync(cancellationToken);
        var agent = await LoadAsync(agentId, cancellationToken);
        if (agent is null)
        {
            return null;
        }

        if (agent.State == AgentState.Revoked)
        {
            return (agent, null);
        }

        var apiKey = AgentKeyFormat.NewKey();
        var oldHash = agent.KeyHash;
        agent.KeyHash = AgentKeyFormat.Hash(apiKey);
        // New key first, then the durable record, then the old key goes: never a moment without a valid key.
        await keys.PublishAsync(agent.KeyHash, agent);
        await SaveAsync(agent);
        await keys.RevokeAsync(oldHash);
        Log.KeyRotated(logger, agentId);
        return (agent, apiKey);
    }

    /// <summary>Stops the agent, revokes its key and forgets it. False when there is no such agent.</summary>
    public async Task<bool> DeleteAsync(string agentId, CancellationToken cancellationToken)
    {
        var agent = await StopAsync(agentId, AgentState.Stopped, "Deleted by the operator.", cancellationToken);
        if (agent is null)
        {
            return false;
        }

        var runtime = Runtime(agentId);
        using (await runtime.Gate.LockAsync(cancellationToken))
        {
            await keys.RevokeAsync(agent.KeyHash);
            await RevokeRunKeyAsync(agent);
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<SupervisorDbContext>();
            await db.Agents.Where(a => a.Id == agentId).ExecuteDeleteAsync(cancellationToken);
            runtime.Logs?.Dispose();
            // The agent's output and private directory go with it: nothing of it stays on disk after DELETE.
            foreach (var file in AgentLogs.Files(LogPath(agentId)).Where(File.Exists))
            {
                File.Delete(file);
            }

            var work = Path.Combine(Options.AgentWorkDirectory, agentId);
            if (Directory.Exists(work))
            {
                Directory.Delete(work, recursive: true);
            }

            _runtimes.TryRemove(agentId, out var _);
            activity.Forget(agentId);
        }

        Log.Deleted(logger, agentId);
        feed.Publish(new LiveEvent("agent.deleted", new { AgentId = agentId }));
        return true;
    }

    public IReadOnlyList<LogLine> Logs(AgentRecord agent, int tail)
    {
        var runtime = Runtime(agent.Id);
        var lines = runtime.Logs?.Tail(tail) ?? [];
        if (lines.Count > 0)
        {
            return lines;
        }

        // Nothing in memory (the Supervisor restarted since): the log file has it.
        var path = LogPath(agent.Id);
        return File.Exists(path) ? File.ReadLines(path).TakeLast(tail).Select(ParseLogLine).ToArray() : [];
    }

    /// <summary>At start: Redis gets every key again, and agents that were running when the Supervisor went away are reconciled.</summary>
    public async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        // Orphaned descendants of agents (one that called setsid, then lost its parent) are re-parented to the
        // Supervisor instead of init, so they can still be found and stopped.
        if (!ProcessTree.BecomeSubreaper())
        {
            Log.NoSubreaper(logger);
        }

        List<AgentRecord> agents;
        await using (var scope = scopes.CreateAsyncScope())
        {
            agents = await scope.ServiceProvider.GetRequiredService<SupervisorDbContext>().Agents.AsNoTracking().ToListAsync(cancellationToken);
        }

        await keys.SyncAsync(agents);
        foreach (var stale in agents.Where(a => a.State.IsActive() || (a.State == AgentState.Failed && a.Pid is not null)))
        {
            await ReconcileAsync(stale, cancellationToken);
        }
    }

    private async Task ReconcileAsync(AgentRecord stale, CancellationToken cancellationToken)
    {
        var runtime = Runtime(stale.Id);
        using var _ = await runtime.Gate.LockAsync(cancellationToken);
        var agent = await LoadAsync(stale.Id, cancellationToken);
        if (agent is null || runtime.Process is not null)
        {
            return;
        }

        // Its process group outlived the previous Supervisor (it has its own session); nothing follows it any more.
        if (agent.Pid is { } pid && ProcessGroup.IsSameProcess(pid, agent.ProcessStartTicks))
        {
            Log.KillingOrphan(logger, agent.Id, pid);
            await ProcessGroup.TerminateAsync(pid, Options.StopGracePeriod, cancellationToken);
        }

        await RevokeRunKeyAsync(agent);
        if (!agent.State.IsActive())
        {
            await TransitionAsync(agent, agent.State, agent.Reason, cancellationToken);
            return;
        }

        var wasStopping = agent.State == AgentState.Stopping;
        await TransitionAsync(agent, AgentState.Lost, "The Supervisor restarted while the agent was running.", cancellationToken);
        if (!wasStopping && agent.Restart == RestartPolicy.OnFailure && agent.Restarts < agent.MaxRestarts)
        {
            agent.Restarts++;
            await LaunchAsync(agent, runtime, cancellationToken);
        }
    }

    private async Task<AgentRecord?> StopAsync(string agentId, AgentState target, string reason, CancellationToken cancellationToken)
    {
        var runtime = Runtime(agentId);
        AgentProcess? process;
        AgentRecord? agent;
        using (await runtime.Gate.LockAsync(cancellationToken))
        {
            agent = await LoadAsync(agentId, cancellationToken);
            if (agent is null)
            {
                return null;
            }

            runtime.CancelRestart();
            process = runtime.Process;
            if (process is null)
            {
                // Nothing runs; a pending restart was cancelled above. Record the outcome unless it is already final
                // (a revoked agent stays revoked, whatever happens to its budget).
                if (agent.State != AgentState.Revoked
                    && (target == AgentState.BudgetExhausted || agent.State is AgentState.Failed or AgentState.Starting))
                {
                    await TransitionAsync(agent, target, reason, cancellationToken);
                }

                return agent;
            }

            runtime.StopTarget = (target, reason);
            await TransitionAsync(agent, AgentState.Stopping, reason, cancellationToken);
        }

        // Outside the gate: the exit handler needs it while the group is being terminated.
        Log.Stopping(logger, agentId, process.Pid, Options.StopGracePeriod);
        await process.StopAsync(Options.StopGracePeriod, _shutdown.Token);

        using (await runtime.Gate.LockAsync(cancellationToken))
        {
            agent = await LoadAsync(agentId, cancellationToken);
            if (agent is null)
            {
                return null;
            }

            if (ReferenceEquals(runtime.Process, process))
            {
                runtime.Process = null;
            }

            runtime.StopTarget = null;
            await RevokeRunKeyAsync(agent);
            agent.ExitCode = process.Exited.IsCompletedSuccessfully ? process.Exited.Result : null;
            agent.EndedAt = time.GetUtcNow();
            await TransitionAsync(agent, target, reason, cancellationToken);
            return agent;
        }
    }

    private async Task LaunchAsync(AgentRecord agent, AgentRuntime runtime, CancellationToken cancellationToken)
    {
        await TransitionAsync(agent, AgentState.Starting, null, cancellationToken);
        var executable = CommandResolver.Resolve(agent.Command!, agent.WorkingDirectory, _agentUser.Value);
        if (executable is null)
        {
            await TransitionAsync(agent, AgentState.Failed, $"Command '{agent.Command}' is not an executable file.", cancellationToken);
            return;
        }

        AgentProcess process;
        try
        {
            var agentId = agent.Id;
            runtime.Logs ??= new AgentLogs(LogPath(agentId), Options.LogBufferLines, new AgentLogLimits(Options.LogMaxLineChars, Options.LogMaxFileBytes), line => output.Publish(agentId, line));
            var user = _agentUser.Value;
            // Another user gets a private working directory (and HOME) of its own, unless the agent names one.
            var home = user?.PrivateDirectory(Path.Combine(Options.AgentWorkDirectory, agentId));
            var runKey = await IssueRunKeyAsync(agent);
            var env = Environment(agent, runKey);
            if (user is not null)
            {
                env["HOME"] = home!;
                env["USER"] = env["LOGNAME"] = user.Name;
            }

            process = AgentProcess.Start(executable, agent.Args, agent.WorkingDirectory ?? home, env, runtime.Logs, time, user);
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            await RevokeRunKeyAsync(agent);
            await TransitionAsync(agent, AgentState.Failed, $"The agent could not be started: {ex.Message}", cancellationToken);
            return;
        }

        runtime.Process = process;
        agent.Pid = process.Pid;
        agent.ProcessStartTicks = process.StartTicks;
        agent.StartedAt = time.GetUtcNow();
        agent.EndedAt = null;
        agent.ExitCode = null;
        await TransitionAsync(agent, AgentState.Running, null, cancellationToken);
        Log.Started(logger, agent.Id, process.Pid, executable);
        // Not on the starting request's execution context: the exit (perhaps hours later) and a restart are not part
        // of that request's trace.
        using (ExecutionContext.SuppressFlow())
        {
            _ = process.Exited.ContinueWith(t => OnExitedAsync(agent.Id, process, t.Result), TaskScheduler.Default).Unwrap();
        }
    }

    private async Task OnExitedAsync(string agentId, AgentProcess process, int exitCode)
    {
        try
        {
            // The main process is gone; anything it left behind, in its group or escaped from it, goes too.
            await process.KillTreeAsync(_shutdown.Token);
            var runtime = Runtime(agentId);
            using var _ = await runtime.Gate.LockAsync(_shutdown.Token);
            if (!ReferenceEquals(runtime.Process, process) || runtime.StopTarget is not null)
            {
                return; // a stop is under way and records the outcome itself
            }

            runtime.Process = null;
            var agent = await LoadAsync(agentId, _shutdown.Token);
            if (agent is null)
            {
                return;
            }

            agent.ExitCode = exitCode;
            agent.EndedAt = time.GetUtcNow();
            await RevokeRunKeyAsync(agent);
            Log.Exited(logger, agentId, process.Pid, exitCode);
            if (exitCode == 0)
            {
                await TransitionAsync(agent, AgentState.Exited, "The agent exited.", _shutdown.Token);
                return;
            }

            if (agent.Restart == RestartPolicy.OnFailure && agent.Restarts < agent.MaxRestarts)
            {
                var delay = RestartDelay(agent.Restarts);
                await TransitionAsync(agent, AgentState.Failed,
                    $"Exited with code {exitCode}; restart {agent.Restarts + 1} of {agent.MaxRestarts} in {delay.TotalSeconds:0.###} s.", _shutdown.Token);
                ScheduleRestart(agentId, runtime, delay);
            }
            else
            {
                var reason = agent.Restart == RestartPolicy.OnFailure
                    ? $"Exited with code {exitCode}; gave up after {agent.Restarts} restarts."
                    : $"Exited with code {exitCode}.";
                await TransitionAsync(agent, AgentState.Failed, reason, _shutdown.Token);
            }
        }
        catch (OperationCanceledException) when (_shutdown.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            Log.ExitHandlingFailed(logger, ex, agentId);
        }
    }

    private void ScheduleRestart(string agentId, AgentRuntime runtime, TimeSpan delay)
    {
        var cancel = CancellationTokenSource.CreateLinkedTokenSource(_shutdown.Token);
        runtime.RestartCancellation = cancel;
        _ = Task.Run(async () =>
        {
            try
            {
                await Task.Delay(delay, time, cancel.Token);
                using var _ = await runtime.Gate.LockAsync(cancel.Token);
                if (cancel.IsCancellationRequested || runtime.Process is not null)
                {
                    return;
                }

                var agent = await LoadAsync(agentId, cancel.Token);
                if (agent is null || agent.State != AgentState.Failed)
                {
                    return;
                }

                agent.Restarts++;
                await LaunchAsync(agent, runtime, cancel.Token);
            }
            catch (OperationCanceledException)
            {
            }
            catch (Exception ex)
            {
                Log.ExitHandlingFailed(logger, ex, agentId);
            }
        });
    }

    /// <summary>Exponential backoff: base, 2 x base, 4 x base ... up to the maximum.</summary>
    private TimeSpan RestartDelay(int restartsSoFar)
    {
        var ticks = Options.RestartBaseDelay.Ticks * Math.Pow(2, Math.Min(restartsSoFar, 30));
        return TimeSpan.FromTicks((long)Math.Min(ticks, Options.RestartMaxDelay.Ticks));
    }

    private Dictionary<string, string> Environment(AgentRecord agent, string runKey)
    {
        // A minimal inherited environment (so interpreters and PATH lookups work) and nothing secret of the Supervisor's.
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in InheritedVariables)
        {
            if (System.Environment.GetEnvironmentVariable(name) is { } value)
            {
                env[name] = value;
            }
        }

        env["PYTHONUNBUFFERED"] = "1"; // so print() reaches the logs as it happens
        foreach (var (name, value) in agent.Env)
        {
            env[name] = value;
        }

        // Ours win over the agent's own env: the agent cannot be pointed around the Router.
        var router = RouterBaseUrl;
        env["OPENAI_BASE_URL"] = router + "/v1";
        env["OPENAI_API_KEY"] = runKey;
        env["ANTHROPIC_BASE_URL"] = router;
        env["ANTHROPIC_API_KEY"] = runKey;
        env["IRONASPIRE_AGENT_ID"] = agent.Id;
        return env;
    }

    /// <summary>
    /// Each run of a supervised agent gets a key of its own (the agent's identity, a fresh secret): the Supervisor never
    /// keeps a key it could hand out again, and a run's key dies with the run.
    /// </summary>
    private async Task<string> IssueRunKeyAsync(AgentRecord agent)
    {
        await RevokeRunKeyAsync(agent);
        var key = AgentKeyFormat.NewKey();
        agent.RunKeyHash = AgentKeyFormat.Hash(key);
        await keys.PublishAsync(agent.RunKeyHash, agent);
        return key;
    }

    private async Task RevokeRunKeyAsync(AgentRecord agent)
    {
        if (agent.RunKeyHash is { } hash)
        {
            await keys.RevokeAsync(hash);
            agent.RunKeyHash = null;
        }
    }

    private async Task TransitionAsync(AgentRecord agent, AgentState state, string? reason, CancellationToken cancellationToken)
    {
        agent.State = state;
        agent.Reason = reason;
        await SaveAsync(agent);
        Log.StateChanged(logger, agent.Id, state, reason);
        await NotifyAsync(agent);
        if (state == AgentState.Failed)
        {
            alerts.Raise(AlertKind.AgentCrashed, agent.Id, "", $"Agent {agent.Name} failed", reason ?? "The agent failed.");
        }
    }

    private async Task SaveAsync(AgentRecord agent)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SupervisorDbContext>();
        db.Agents.Update(agent);
        await db.SaveChangesAsync(CancellationToken.None);
    }

    private async ValueTask NotifyAsync(AgentRecord agent)
    {
        var change = new AgentStateChanged(Guid.NewGuid(), agent.Id, agent.Name, agent.State.ToString(), agent.Pid, agent.ExitCode, agent.Reason, time.GetUtcNow());
        feed.Publish(new LiveEvent("agent.state", change));
        // Buffered by the shared publisher: the bus being down never holds up supervision.
        await publisher.PublishAsync(change);
    }

    private async Task<AgentRecord?> LoadAsync(string agentId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<SupervisorDbContext>().Agents.AsNoTracking()
            .FirstOrDefaultAsync(a => a.Id == agentId, cancellationToken);
    }

    private AgentRuntime Runtime(string agentId) => _runtimes.GetOrAdd(agentId, _ => new AgentRuntime());

    public bool IsRunning(string agentId) => _runtimes.TryGetValue(agentId, out var runtime) && runtime.Process is not null;

    private string LogPath(string agentId) => Path.Combine(Options.LogDirectory, agentId + ".log");

    private static LogLine ParseLogLine(string line)
    {
        var parts = line.Split(' ', 3);
        return parts.Length == 3 && DateTimeOffset.TryParse(parts[0], System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind, out var at)
            ? new LogLine(at, parts[1], parts[2])
            : new LogLine(DateTimeOffset.MinValue, "stdout", line);
    }

    /// <summary>The Supervisor is stopping: its agents stop too (a crash instead leaves them to the next start's reconciliation).</summary>
    public Task StopAllAsync()
    {
        // Once: a host may be stopped twice (WebApplication.Run's own stop, then its owner's), the second time after disposal.
        lock (_runtimes)
        {
            return _stoppingAll ??= Task.WhenAll(_runtimes.Where(r => r.Value.Process is not null)
                .Select(r => StopAsync(r.Key, AgentState.Stopped, "The Supervisor stopped.", CancellationToken.None)));
        }
    }

    private Task? _stoppingAll;

    public async ValueTask DisposeAsync()
    {
        await _shutdown.CancelAsync();
        foreach (var runtime in _runtimes.Values)
        {
            runtime.Logs?.Dispose();
        }
    }

    private static readonly string[] InheritedVariables =
        ["PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "SHELL", "TERM", "PYENV_ROOT", "PYENV_VERSION"];

    private static partial class Log
    {
        [LoggerMessage(LogLevel.Information, "Agent {AgentId} ({Name}) created: {Command}")]
        public static partial void Created(ILogger logger, string agentId, string name, string command);

        [LoggerMessage(LogLevel.Information, "Agent {AgentId} started as pid {Pid}: {Executable}")]
        public static partial void Started(ILogger logger, string agentId, int pid, string executable);

        [LoggerMessage(LogLevel.Information, "Agent {AgentId} pid {Pid} exited with code {ExitCode}")]
        public static partial void Exited(ILogger logger, string agentId, int pid, int exitCode);

        [LoggerMessage(LogLevel.Information, "Agent {AgentId} is now {State}: {Reason}")]
        public static partial void StateChanged(ILogger logger, string agentId, AgentState state, string? reason);

        [LoggerMessage(LogLevel.Information, "Stopping agent {AgentId}: SIGTERM to process group {Pid}, SIGKILL after {Grace}")]
        public static partial void Stopping(ILogger logger, string agentId, int pid, TimeSpan grace);

        [LoggerMessage(LogLevel.Warning, "Agent {AgentId}'s process group {Pid} outlived the previous Supervisor: terminating it")]
        public static partial void KillingOrphan(ILogger logger, string agentId, int pid);

        [LoggerMessage(LogLevel.Information, "Agent {AgentId}'s keys revoked")]
        public static partial void Revoked(ILogger logger, string agentId);

        [LoggerMessage(LogLevel.Information, "Agent {AgentId} deleted and its key revoked")]
        public static partial void Deleted(ILogger logger, string agentId);

        [LoggerMessage(LogLevel.Information, "Agent {AgentId}'s key was rotated; the old key is revoked")]
        public static partial void KeyRotated(ILogger logger, string agentId);

        [LoggerMessage(LogLevel.Warning, "Could not become a child subreaper; an agent's descendant that leaves its session and loses its parent is found only by its run marker")]
        public static partial void NoSubreaper(ILogger logger);

        [LoggerMessage(LogLevel.Error, "Handling the exit of agent {AgentId} failed")]
        public static partial void ExitHandlingFailed(ILogger logger, Exception exception, string agentId);
    }
}
