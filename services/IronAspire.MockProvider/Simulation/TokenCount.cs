namespace IronAspire.MockProvider.Simulation;

/// <summary>
/// The simulator's tokenizer stand-in: one token per four characters, rounded up, and four tokens of chat format
/// per message — close to what OpenAI and Anthropic report for English, and deterministic.
/// </summary>
public static class TokenCount
{
    public const int PerMessageOverhead = 4;

    public static int Of(string text) => (text.Length + 3) / 4;
}
