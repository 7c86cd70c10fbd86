using System.ComponentModel.DataAnnotations;

namespace IronAspire.MockProvider.Simulation;

/// <summary>Defaults of the simulator (section <c>MockProvider</c>); most can be overridden per request by an <c>x-mock-*</c> header.</summary>
public sealed class MockOptions
{
    public const string SectionName = "MockProvider";

    /// <summary><c>normal</c> (a fixed English reply) or <c>echo</c> (the reply repeats the last user message).</summary>
    [RegularExpression("^(normal|echo)$")]
    public string Mode { get; set; } = "normal";

    /// <summary>Time before the first byte of the response (0: none, the default, so benchmarks measure the caller).</summary>
    [Range(0, 600_000)]
    public int LatencyMs { get; set; }

    /// <summary>Time between two chunks of a streamed response.</summary>
    [Range(0, 60_000)]
    public int ChunkDelayMs { get; set; }

    /// <summary>Words per streamed content chunk (the providers send about one token per chunk).</summary>
    [Range(1, 10_000)]
    public int ChunkSize { get; set; } = 1;

    /// <summary>Output tokens of the normal reply (shortened to fit the request's max tokens).</summary>
    [Range(1, 100_000)]
    public int ReplyTokens { get; set; } = 48;

    /// <summary>Length of embedding vectors when the request gives no <c>dimensions</c>.</summary>
    [Range(1, 8192)]
    public int EmbeddingDimensions { get; set; } = 256;

    /// <summary>Keep the last request body for <c>/admin/stats</c> (one copy per request; benchmarks may turn it off).</summary>
    public bool RecordLastRequestBody { get; set; } = true;
}
