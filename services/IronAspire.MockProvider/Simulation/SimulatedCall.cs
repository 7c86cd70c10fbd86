using System.Text.Json.Nodes;

namespace IronAspire.MockProvider.Simulation;

/// <summary>One request to the simulator, parsed, with the reply it will get.</summary>
public sealed class SimulatedCall
{
    public required JsonObject Root { get; init; }
    public required string Model { get; init; }
    public required bool Stream { get; init; }
    public required int InputTokens { get; init; }
    public required string Reply { get; init; }
    public required int ChunkDelayMs { get; init; }
    public required int WordsPerChunk { get; init; }
    public required bool DropMidStream { get; init; }

    public int OutputTokens => TokenCount.Of(Reply);

    /// <summary>The reply cut into stream deltas of a few words each (spaces kept, so the deltas concatenate to the reply).</summary>
    public IEnumerable<string> Deltas()
    {
        var start = 0;
        var words = 0;
        for (var i = 0; i < Reply.Length; i++)
        {
            if (Reply[i] == ' ' && i > start && ++words % WordsPerChunk == 0)
            {
                yield return Reply[start..i];
                start = i;
            }
        }

        if (start < Reply.Length)
        {
            yield return Reply[start..];
        }
    }

    public Task PauseBetweenChunks(CancellationToken cancellationToken) =>
        ChunkDelayMs > 0 ? Task.Delay(ChunkDelayMs, cancellationToken) : Task.CompletedTask;
}
