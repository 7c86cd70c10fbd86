using System.IO.Pipelines;
using BenchmarkDotNet.Attributes;
using IronAspire.Pii.Policies;
using IronAspire.Pii.Redaction;
using IronAspire.Router.Governance;
using IronAspire.Router.Proxy;
using IronAspire.Router.Proxy.Streams;
using IronAspire.Router.Proxy.Translation;

namespace IronAspire.Router.Benchmarks;

/// <summary>
/// One chat completion stream through the relay's steps, as <c>ResponseRelay</c> runs them: the event reader over the
/// provider's bytes, the chat stream processor (usage read, the usage chunk the Router asked for hidden, every delta
/// through the default PII policy's streaming redactor, or none), and the events written into a pipe; and the Claude
/// call's Messages stream translated into chat chunks, and the chat stream translated into Messages events.
/// </summary>
[MemoryDiagnoser]
public class StreamRelayBenchmarks
{
    private readonly byte[] _stream = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "chat-stream.sse"));
    private readonly byte[] _messagesStream = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "messages-stream.sse"));
    private readonly List<SseEvent> _output = new(2);
    private readonly Pipe _client = new(new PipeOptions(pauseWriterThreshold: 0));
    private CompiledPiiPolicy _policy = null!;

    [GlobalSetup]
    public void Setup() => _policy = new CompiledPiiPolicy(PiiPolicy.BuiltInDefault, PiiPseudonymizer.FromSecret("a-benchmark-key-of-32-characters"));

    [Benchmark(Baseline = true, Description = "chat stream, no PII policy")]
    public Task<long> PassThrough() => RelayAsync(_stream, new OpenAIChatStreamProcessor(null, hideUsageChunk: true));

    [Benchmark(Description = "chat stream, default PII policy")]
    public Task<long> Redacted() => RelayAsync(_stream, new OpenAIChatStreamProcessor(new PiiResponseRedaction(_policy.Response), hideUsageChunk: true));

    /// <summary>The load benchmark's Claude call: a Messages stream translated into chat chunks, as a chat client gets it.</summary>
    [Benchmark(Description = "Messages stream as chat chunks, default PII policy")]
    public Task<long> Translated() => RelayAsync(_messagesStream, DialectTranslation.StreamProcessor(LlmOperation.ChatCompletions,
        new OpenAIChatStreamProcessor(new PiiResponseRedaction(_policy.Response), hideUsageChunk: true), created: 1_764_547_200));

    /// <summary>An Anthropic client calling an OpenAI model: the chat stream translated into Messages events.</summary>
    [Benchmark(Description = "chat stream as Messages events, default PII policy")]
    public Task<long> TranslatedToMessages() => RelayAsync(_stream, DialectTranslation.StreamProcessor(LlmOperation.Messages,
        new AnthropicStreamProcessor(new PiiResponseRedaction(_policy.Response)), created: 1_764_547_200));

    private async Task<long> RelayAsync(byte[] stream, StreamProcessor processor)
    {
        await using var reader = new SseEventReader(new MemoryStream(stream, writable: false), TimeSpan.FromSeconds(30));
        long written = 0;
        while (await reader.ReadEventAsync(CancellationToken.None) is { } raw)
        {
            _output.Clear();
            processor.Process(SseEvent.Parse(raw), _output);
            foreach (var evt in _output)
            {
                written += evt.WriteTo(_client.Writer);
            }
        }

        _output.Clear();
        processor.Complete(_output);
        await _client.Writer.FlushAsync();
        var sent = await _client.Reader.ReadAsync();
        _client.Reader.AdvanceTo(sent.Buffer.End);
        return written;
    }
}
