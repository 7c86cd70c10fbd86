using System.ComponentModel.DataAnnotations;

namespace IronAspire.MockProvider.Simulation;

/// <summary>Defaults of the simulator (section <c>MockProvider</c>); each can be overridden per request by a header.</summary>
public sealed class MockOptions
{
    public const string SectionName = "MockProvider";

    /// <summary><c>normal</c> (a fixed English reply) or <c>echo</c> (the reply repeats the last user message).</summary>
    [RegularExpression("^(normal|echo)$")]
    public string Mode { get; set; } = "normal";

    /// <summary>Time before the first byte of the response.</summary>
    [Range(0, 600_000)]
    public int LatencyMs { get; set; }

    /// <summary>Time between two chunks of a streamed response.</summary>
    [Range(0, 60_000)]
    public int ChunkDelayMs { get; set; }

    /// <summary>Words per streamed chunk.</summary>
    [Range(1, 1000)]
    public int WordsPerChunk { get; set; } = 1;

    /// <summary>Output tokens of the normal reply (capped by the request's max tokens).</summary>
    [Range(1, 100_000)]
    public int ReplyTokens { get; set; } = 48;

    [Range(1, 8192)]
    public int EmbeddingDimensions { get; set; } = 256;
}
