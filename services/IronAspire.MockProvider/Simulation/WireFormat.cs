namespace IronAspire.MockProvider.Simulation;

/// <summary>Whose wire format a response (and its errors) follows.</summary>
public enum WireFormat
{
    OpenAI,
    Anthropic,
}
