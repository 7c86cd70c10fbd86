using IronAspire.Contracts.Agents;

namespace IronAspire.Router.Auth;

/// <summary>
/// The bootstrap demo agent: a key from configuration (IRONASPIRE_DEMO_KEY, set by the AppHost) that works before
/// any agent was registered, so a new user can point an OpenAI client at the Router at once.
/// </summary>
public sealed class DemoAgentOptions
{
    public string? Key { get; set; }
    public string AgentId { get; set; } = "demo-agent";
    public string? ProjectId { get; set; }

    /// <summary>The models the demo agent may use (glob patterns); empty: every model the providers serve.</summary>
    public string[]? Models { get; set; }

    /// <summary>The demo agent's rate limits (<c>Router:DemoAgent:Limits:RequestsPerMinute</c>, <c>:TokensPerMinute</c>, <c>:MaxConcurrent</c>); none: unlimited.</summary>
    public AgentLimits? Limits { get; set; }
}
