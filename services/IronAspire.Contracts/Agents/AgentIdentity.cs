namespace IronAspire.Contracts.Agents;

/// <summary>Who is calling: the agent a key belongs to and the project budget it shares, if any.</summary>
public sealed record AgentIdentity(string AgentId, string? ProjectId);
