using BenchmarkDotNet.Toolchains.InProcess.Emit;
using BenchmarkDotNet.Columns;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using IronAspire.Pii.Policies;
using IronAspire.Pii.Redaction;

namespace IronAspire.Pii.Benchmarks;

/// <summary>
/// What response-side redaction adds to a call in the Router: a 1 KB OpenAI chat completion body with a few
/// entities, with the default policy plus e-mail redaction (so entities are rewritten, not only counted).
/// </summary>
[Config(typeof(Config))]
[MemoryDiagnoser]
public class RouterCostBenchmarks
{
    private sealed class Config : ManualConfig
    {
        public Config()
        {
            // In-process: no generated project to build, which on a loaded 2-core machine can exceed the build timeout.
            AddJob(Job.Default.WithWarmupCount(3).WithIterationCount(15).WithToolchain(InProcessEmitToolchain.Instance));
            AddColumn(StatisticColumn.Median, StatisticColumn.P95);
        }
    }

    private byte[] _body = [];
    private string _content = "";
    private CompiledPiiPolicy _policy = null!;

    [GlobalSetup]
    public void Setup()
    {
        _content =
            "Sure. I have updated the customer record as requested. The new contact address is jane.doe@example.com and " +
            "the callback number is +44 20 7946 0958. For the refund, the card on file ending in 4242 will be used; " +
            "the full number you pasted (4242 4242 4242 4242) has been removed from the ticket for safety. The account " +
            "is now active again and the welcome message has been sent. If anything else looks wrong, let me know and " +
            "I will take another look at the history of the account before the end of the day. Best regards, Assistant.";
        var body = new JsonObject
        {
            ["id"] = "chatcmpl-9f2c1d0e8b7a6", ["object"] = "chat.completion", ["created"] = 1763980000, ["model"] = "gpt-4o-mini",
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = _content, ["refusal"] = null },
                ["logprobs"] = null, ["finish_reason"] = "stop",
            }),
            ["usage"] = new JsonObject { ["prompt_tokens"] = 312, ["completion_tokens"] = 118, ["total_tokens"] = 430 },
            ["system_fingerprint"] = "fp_0123456789",
        };
        _body = System.Text.Encoding.UTF8.GetBytes(body.ToJsonString());
        var policy = new PiiPolicy { Response = { [Pii.PiiEntityTypes.EmailAddress] = PiiAction.Redact } }.Over(PiiPolicy.BuiltInDefault);
        _policy = new CompiledPiiPolicy(policy, PiiPseudonymizer.Ephemeral());
        if (!_policy.Response.Redact(_content).Text.Contains("[EMAIL_ADDRESS]"))
        {
            throw new InvalidOperationException("the benchmark text must contain entities");
        }
    }

    /// <summary>Only the engine: redact the completion text (about 550 chars, 4 entities).</summary>
    [Benchmark]
    public string RedactContent() => _policy.Response.Redact(_content, new PiiTally());

    /// <summary>The whole non-streamed path: parse the 1 KB body, redact every choice's content, serialise it again.</summary>
    [Benchmark(Baseline = true)]
    public byte[] RedactJsonBody()
    {
        var root = JsonNode.Parse(_body)!.AsObject();
        var tally = new PiiTally();
        foreach (var choice in root["choices"]!.AsArray())
        {
            var message = choice!["message"]!.AsObject();
            if (message["content"] is JsonValue value && value.TryGetValue<string>(out var text))
            {
                var redacted = _policy.Response.Redact(text, tally);
                if (!ReferenceEquals(redacted, text))
                {
                    message["content"] = redacted;
                }
            }
        }

        return System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(root);
    }

    /// <summary>The parse and serialise without redaction, to separate the engine's share.</summary>
    [Benchmark]
    public byte[] JsonRoundTripOnly() => System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(JsonNode.Parse(_body));

    /// <summary>The same text as a stream of 20-char deltas through one streaming redactor.</summary>
    [Benchmark]
    public int StreamDeltas()
    {
        var stream = _policy.Response.OpenStream();
        var total = 0;
        for (var p = 0; p < _content.Length; p += 20)
        {
            total += stream.Push(_content.Substring(p, Math.Min(20, _content.Length - p))).Length;
        }

        return total + stream.Flush().Length;
    }
}
