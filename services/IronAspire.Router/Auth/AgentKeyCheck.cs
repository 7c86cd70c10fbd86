using IronAspire.Contracts.Agents;

namespace IronAspire.Router.Auth;

/// <summary>What checking an agent key found: the agent, a refused key (401), or no answer from Redis (503).</summary>
public readonly record struct AgentKeyCheck(AgentIdentity? Identity, bool IsUnavailable)
{
    public static readonly AgentKeyCheck Refused = default;

    public static readonly AgentKeyCheck Unavailable = new(null, true);

    public static AgentKeyCheck Of(AgentIdentity? identity) => new(identity, false);
}
