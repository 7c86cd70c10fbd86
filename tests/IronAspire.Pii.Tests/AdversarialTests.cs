using IronAspire.Contracts.Events;
using IronAspire.Pii.Detection;
using IronAspire.Pii.Policies;
using IronAspire.Pii.Redaction;

namespace IronAspire.Pii.Tests;

/// <summary>
/// Inputs built to make scanners backtrack or go quadratic: each 10 MB input must scan in under 2 s of CPU time on
/// the test's thread (CPU, not wall-clock, time: the 2-core build machine is shared and mostly busy).
/// </summary>
public sealed class AdversarialTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int Size = 10 * 1024 * 1024;

    public static TheoryData<string> Inputs() => new()
    {
        "letters without spaces",
        "digits",
        "digit groups",
        "nested quotes",
        "at signs",
        "colons and hex",
        "dots and digits",
        "secret prefixes",
        "pem begins",
        "uppercase digits",
    };

    private static string Build(string kind)
    {
        string unit = kind switch
        {
            "letters without spaces" => "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ",
            "digits" => "0123456789",
            "digit groups" => "12 34 ",
            "nested quotes" => "\"'(\"[{'",
            "at signs" => "a@a.a@",
            "colons and hex" => "a:1:",
            "dots and digits" => "1.2.",
            "secret prefixes" => "sk-eyJAKIAghp_ia-xoxb-",
            "pem begins" => "-----BEGIN PRIVATE KEY-----",
            _ => "DE12",
        };
        return string.Concat(Enumerable.Repeat(unit, Size / unit.Length + 1))[..Size];
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Scanning_ten_megabytes_is_bounded(string kind)
    {
        var text = Build(kind);
        var cpu = ThreadCpuTime.Measure(() => PiiScanner.Default.Scan(text));
        output.WriteLine($"{kind}: {cpu.TotalMilliseconds:N0} ms CPU for {text.Length:N0} chars");
        Assert.True(cpu < TimeSpan.FromSeconds(2), $"{kind}: {cpu}");
    }

    [Theory]
    [InlineData("letters without spaces")]
    [InlineData("digits")]
    [InlineData("secret prefixes")]
    public void Streaming_ten_megabytes_in_small_chunks_is_bounded(string kind)
    {
        var text = Build(kind);
        var stream = new PiiRedactor(PiiDirection.Response, PiiEntityTypes.BuiltIn.ToDictionary(t => t, _ => PiiAction.Redact)).OpenStream();
        long emitted = 0;
        var cpu = ThreadCpuTime.Measure(() =>
        {
            for (var p = 0; p < text.Length; p += 4096)
            {
                emitted += stream.Push(text.Substring(p, Math.Min(4096, text.Length - p))).Length;
            }

            emitted += stream.Flush().Length;
        });
        output.WriteLine($"{kind}: {cpu.TotalMilliseconds:N0} ms CPU streaming {text.Length:N0} chars");
        Assert.True(cpu < TimeSpan.FromSeconds(2), $"{kind}: {cpu}");
        Assert.True(emitted > 0);
    }

    [Fact]
    public void A_custom_pattern_that_would_backtrack_exponentially_runs_in_linear_time()
    {
        var custom = new CustomEntityType { Name = "EVIL", Pattern = "(a+)+b" };
        Assert.Null(custom.Problem());
        var scanner = new PiiScanner(["EVIL"], [custom]);
        var text = new string('a', 1_000_000) + "!";
        var cpu = ThreadCpuTime.Measure(() => scanner.Scan(text));
        Assert.True(cpu < TimeSpan.FromSeconds(2), cpu.ToString());
    }
}
