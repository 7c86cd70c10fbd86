using IronAspire.Router.Proxy;

namespace IronAspire.Router.Providers;

/// <summary>One link of a call's fallback chain: a provider, the model it is asked for, and the operation it is sent as.</summary>
public readonly record struct UpstreamRoute(LlmProvider Provider, string Model, LlmOperation Operation);
