using BenchmarkDotNet.Toolchains.InProcess.Emit;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using IronAspire.Contracts.Events;
using IronAspire.Pii.Detection;
using IronAspire.Pii.Policies;
using IronAspire.Pii.Redaction;

namespace IronAspire.Pii.Benchmarks;

/// <summary>Scan and redaction throughput on 64 KB of English prose with 0, 1 and 10 entities per KB, one thread.</summary>
[Config(typeof(Config))]
[MemoryDiagnoser]
public class ScanBenchmarks
{
    public const int Size = 64 * 1024;

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            // In-process: no generated project to build, which on a loaded 2-core machine can exceed the build timeout.
            AddJob(Job.Default.WithWarmupCount(3).WithIterationCount(15).WithToolchain(InProcessEmitToolchain.Instance));
            AddColumn(new ThroughputColumn(Size), StatisticColumn.Median, StatisticColumn.P95);
        }
    }

    private readonly List<PiiFinding> _findings = new(1024);
    private string _text = "";
    private PiiRedactor _redactor = null!;

    [Params(0, 1, 10)]
    public int EntitiesPerKb { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _text = BenchText.Build(Size, EntitiesPerKb);
        var redactAll = PiiEntityTypes.BuiltIn.ToDictionary(t => t, _ => PiiAction.Redact);
        _redactor = new PiiRedactor(PiiDirection.Response, redactAll);
        _findings.Clear();
        PiiScanner.Default.Scan(_text, _findings);
        var expected = EntitiesPerKb * (Size / 1024);
        if (Math.Abs(_findings.Count - expected) > EntitiesPerKb)
        {
            throw new InvalidOperationException($"expected about {expected} findings, got {_findings.Count}");
        }
    }

    /// <summary>Detection only: every built-in type.</summary>
    [Benchmark(Baseline = true)]
    public int Scan()
    {
        _findings.Clear();
        PiiScanner.Default.Scan(_text, _findings);
        return _findings.Count;
    }

    /// <summary>Detection and redaction of every finding (placeholder style), building the output string.</summary>
    [Benchmark]
    public int Redact() => _redactor.Redact(_text, new PiiTally()).Length;

    /// <summary>The same text through a streaming redactor in 64-char deltas (SSE-sized pieces).</summary>
    [Benchmark]
    public int Stream()
    {
        var stream = _redactor.OpenStream();
        var total = 0;
        for (var p = 0; p < _text.Length; p += 64)
        {
            total += stream.Push(_text.Substring(p, Math.Min(64, _text.Length - p))).Length;
        }

        return total + stream.Flush().Length;
    }
}
