using System.ComponentModel.DataAnnotations;

namespace IronAspire.AgentSupervisor;

/// <summary>Settings of the Supervisor, bound from the "Supervisor" section (the admin key also from IRONASPIRE_ADMIN_KEY).</summary>
public sealed class SupervisorOptions
{
    public const string SectionName = "Supervisor";

    /// <summary>The operator's key for the control API, the WebSocket and the dashboard. Required: without it nothing is open.</summary>
    [Required, MinLength(16)]
    public string AdminKey { get; set; } = "";

    /// <summary>The Router's public base URL as agents reach it (OPENAI_BASE_URL = this + "/v1", ANTHROPIC_BASE_URL = this).</summary>
    [Required, Url]
    public string RouterBaseUrl { get; set; } = "http://127.0.0.1:8100";

    /// <summary>
    /// The Unix user agents run as when the Supervisor runs as root: unset means <c>ironaspire-agent</c> (created by
    /// scripts/install-prerequisites.sh); an empty string runs them as root, which lets them read the Supervisor's
    /// secrets (docs/security.md). Ignored when the Supervisor is not root: it cannot switch users.
    /// </summary>
    public string? AgentUser { get; set; }

    /// <summary>Parent folder of the agents' private working directories (one per agent, owned by the agent user, 0700).</summary>
    [Required]
    public string AgentWorkDirectory { get; set; } = Path.Combine(Path.GetTempPath(), "ironaspire-agent-work");

    /// <summary>Folder of the agents' log files (one per agent, appended across runs).</summary>
    [Required]
    public string LogDirectory { get; set; } = Path.Combine(Path.GetTempPath(), "ironaspire-agents");

    /// <summary>Lines of stdout/stderr kept in memory per agent for the logs API.</summary>
    [Range(10, 100_000)]
    public int LogBufferLines { get; set; } = 1000;

    /// <summary>Characters kept of one output line; the rest of a longer line is dropped (and counted on the line).</summary>
    [Range(80, 1_048_576)]
    public int LogMaxLineChars { get; set; } = 16_384;

    /// <summary>Size at which an agent's log file is rotated to <c>{agent}.log.1</c> (the previous .1 is dropped).</summary>
    [Range(4096, 10L * 1024 * 1024 * 1024)]
    public long LogMaxFileBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>Time between SIGTERM to the agent's process group and SIGKILL.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan StopGracePeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Delay before the first restart of a failed agent; doubles per restart up to <see cref="RestartMaxDelay"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan RestartBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan RestartMaxDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long a read of an agent's budget for display may take; past it the agent is shown with <c>budget: null</c>,
    /// so a hung Budget service cannot hang <c>GET /v1/agents</c>.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan BudgetReadTimeout { get; set; } = TimeSpan.FromSeconds(2);
}
