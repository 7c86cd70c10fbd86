using BenchmarkDotNet.Attributes;
using IronAspire.Pii.Policies;
using IronAspire.Pii.Redaction;
using IronAspire.Router.Governance;
using IronAspire.Router.Proxy;

namespace IronAspire.Router.Benchmarks;

/// <summary>
/// The load benchmark's request body through the Router's request steps, as <c>LlmProxyHandler</c> runs them: parse
/// and validate, the output cap, the usage the Router asks for in streams, the default PII policy over the prompt,
/// the input-token bound and the bytes sent upstream.
/// </summary>
[MemoryDiagnoser]
public class RequestPathBenchmarks
{
    private static readonly byte[] Body = """{"model":"gpt-4o-mini","max_tokens":64,"messages":[{"role":"user","content":"Summarise the plot of a short story about a lighthouse keeper."}]}"""u8.ToArray();
    private static readonly byte[] StreamBody = """{"model":"gpt-4o-mini","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"Summarise the plot of a short story about a lighthouse keeper."}]}"""u8.ToArray();
    private CompiledPiiPolicy _policy = null!;

    [GlobalSetup]
    public void Setup() => _policy = new CompiledPiiPolicy(PiiPolicy.BuiltInDefault, PiiPseudonymizer.FromSecret("a-benchmark-key-of-32-characters"));

    [Benchmark(Baseline = true, Description = "chat request, default PII policy")]
    public int Plain() => Run(Body);

    [Benchmark(Description = "chat stream request, default PII policy")]
    public int Streamed() => Run(StreamBody);

    private int Run(byte[] body)
    {
        var (request, _) = LlmRequest.Parse(body);
        request!.EnforceOutputCap(LlmOperation.ChatCompletions, 4096);
        request.EnsureStreamUsage();
        var tally = new PiiTally();
        JsonBodyRedaction.RewriteRequestTexts(request.Root, text => _policy.Request.Redact(text, tally));
        var upstream = request.ToUtf8Bytes(request.Model);
        return upstream.Length + (int)InputTokenBound.For(request, upstream.Length);
    }
}
