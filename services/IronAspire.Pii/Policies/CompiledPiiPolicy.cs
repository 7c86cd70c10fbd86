using IronAspire.Contracts.Events;
using IronAspire.Pii.Detection;
using IronAspire.Pii.Redaction;

namespace IronAspire.Pii.Policies;

/// <summary>An effective policy (default with the agent's override laid over it), compiled for both directions.</summary>
public sealed class CompiledPiiPolicy
{
    public CompiledPiiPolicy(PiiPolicy effective, PiiPseudonymizer pseudonymizer)
    {
        Policy = effective;
        Request = new PiiRedactor(PiiDirection.Request, effective.Request, effective.Styles, effective.CustomTypes, pseudonymizer);
        Response = new PiiRedactor(PiiDirection.Response, effective.Response, effective.Styles, effective.CustomTypes, pseudonymizer);
        var all = PiiEntityTypes.BuiltIn.Concat(effective.CustomTypes.Select(c => c.Name)).ToArray();
        AllTypes = new PiiRedactor(PiiDirection.Request, all.ToDictionary(t => t, _ => PiiAction.Redact), effective.Styles, effective.CustomTypes, pseudonymizer);
    }

    /// <summary>The effective policy.</summary>
    public PiiPolicy Policy { get; }

    /// <summary>Applies the request side: run on every message content before forwarding.</summary>
    public PiiRedactor Request { get; }

    /// <summary>Applies the response side: run on completion texts, or one <see cref="StreamingRedactor"/> per streamed text.</summary>
    public PiiRedactor Response { get; }

    /// <summary>Finds and redacts every type the policy knows (built-in and custom) in its styles: the scan API.</summary>
    public PiiRedactor AllTypes { get; }

    public PiiRedactor For(Contracts.Events.PiiDirection direction) => direction == PiiDirection.Request ? Request : Response;
}
