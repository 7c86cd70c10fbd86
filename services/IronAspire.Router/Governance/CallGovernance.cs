using IronAspire.Contracts.Agents;
using IronAspire.Router.Errors;
using IronAspire.Router.Proxy;

namespace IronAspire.Router.Governance;

/// <summary>
/// The governance steps around a forwarded call: which models an agent may use, the request-side checks that can
/// refuse a call before any provider sees it, and what happens once it is over (billing and events).
/// </summary>
public sealed class CallGovernance(RouterEvents events)
{
    public bool MayUse(AgentIdentity agent, string model) => true;

    /// <summary>Returns the refusal to send to the client, or null when the call may go ahead.</summary>
    public ValueTask<ApiError?> AdmitAsync(LlmCall call, CancellationToken cancellationToken)
    {
        call.InputTokenBound = InputTokenBound.For(call.Request!, call.Request!.Root.ToJsonString().Length);
        return ValueTask.FromResult<ApiError?>(null);
    }

    public void Finish(LlmCall call, string? errorType, int statusCode)
    {
        call.ErrorType ??= errorType;
        call.StatusCode = statusCode;
        events.CallFinished(call);
    }
}
