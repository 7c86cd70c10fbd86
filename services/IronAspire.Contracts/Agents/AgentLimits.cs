namespace IronAspire.Contracts.Agents;

/// <summary>
/// How fast an agent may call (each limit optional; null: unlimited): calls per minute, tokens (input + output) per
/// minute, calls in flight at once. Enforced by the Router; set with the Supervisor's <c>POST/PATCH /v1/agents</c>.
/// </summary>
public sealed record AgentLimits(int? RequestsPerMinute = null, long? TokensPerMinute = null, int? MaxConcurrent = null)
{
    public bool IsEmpty => RequestsPerMinute is null && TokensPerMinute is null && MaxConcurrent is null;
}
