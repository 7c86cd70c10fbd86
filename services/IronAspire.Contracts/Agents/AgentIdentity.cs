namespace IronAspire.Contracts.Agents;

/// <summary>
/// Who is calling: the agent a key belongs to, the project budget it shares, if any, and the models it may use
/// (glob patterns, <c>*</c> for any run of characters, case-insensitive; null: every model the providers serve), and
/// how fast it may call (null: no rate limits).
/// </summary>
public sealed record AgentIdentity(string AgentId, string? ProjectId, IReadOnlyList<string>? AllowedModels = null, AgentLimits? Limits = null);
