using IronAspire.Contracts.Events;
using IronAspire.Pii.Detection;
using IronAspire.Pii.Policies;
using IronAspire.Pii.Redaction;
using IronAspire.Pii.Tests.Corpus;

namespace IronAspire.Pii.Tests;

public sealed class StreamingTests
{
    private static readonly PiiRedactor Redactor = new(
        PiiDirection.Response, PiiEntityTypes.BuiltIn.ToDictionary(t => t, _ => PiiAction.Redact));

    private static string Stream(PiiRedactor redactor, IEnumerable<string> chunks, List<string>? emitted = null)
    {
        var stream = redactor.OpenStream();
        var output = new System.Text.StringBuilder();
        foreach (var chunk in chunks)
        {
            var safe = stream.Push(chunk);
            emitted?.Add(safe);
            output.Append(safe);
        }

        var rest = stream.Flush();
        emitted?.Add(rest);
        return output.Append(rest).ToString();
    }

    [Fact]
    public void Every_value_split_at_every_boundary_is_redacted_and_no_fragment_is_emitted()
    {
        var values = new Values(7);
        var cases = new List<(string Type, string Value)>();
        foreach (var type in PiiEntityTypes.BuiltIn)
        {
            for (var i = 0; i < 24; i++)
            {
                var value = type switch
                {
                    PiiEntityTypes.EmailAddress => values.Email(),
                    PiiEntityTypes.PhoneNumber => values.Phone(),
                    PiiEntityTypes.CreditCard => values.Card(),
                    PiiEntityTypes.UsSsn => values.Ssn().Value,
                    PiiEntityTypes.IbanCode => values.Iban(),
                    PiiEntityTypes.IpAddress => values.Ip(),
                    _ => values.Secret(),
                };
                cases.Add((type, value));
            }
        }

        var checkedSplits = 0;
        foreach (var (type, value) in cases)
        {
            var text = $"Here is the SSN value {value} for the record.";
            var whole = Redactor.Redact(text).Text;
            Assert.True(whole.Contains($"[{type}]"), $"{type} not found whole in: {text}");
            var valueStart = text.IndexOf(value, StringComparison.Ordinal);

            // Two chunks split at every position inside and around the value, then three chunks around its middle.
            for (var cut = valueStart - 2; cut <= valueStart + value.Length + 2; cut++)
            {
                var emitted = new List<string>();
                Assert.Equal(whole, Stream(Redactor, [text[..cut], text[cut..]], emitted));
                AssertNoFragment(emitted, value);
                checkedSplits++;
            }

            var mid = valueStart + value.Length / 2;
            for (var a = valueStart; a < mid; a += Math.Max(1, value.Length / 16))
            {
                Assert.Equal(whole, Stream(Redactor, [text[..a], text[a..mid], text[mid..]]));
            }

            // One char at a time: the hardest case for hold-back.
            var perChar = new List<string>();
            Assert.Equal(whole, Stream(Redactor, text.Select(c => c.ToString()), perChar));
            AssertNoFragment(perChar, value);
        }

        Assert.True(checkedSplits > 5000, $"{checkedSplits} splits");
    }

    /// <summary>No emitted piece carries 4+ consecutive chars of the value unless the surrounding prose has them too.</summary>
    private static void AssertNoFragment(List<string> emitted, string value)
    {
        var joined = string.Concat(emitted);
        Assert.DoesNotContain(value, joined);
        foreach (var piece in emitted)
        {
            for (var i = 0; i + 8 <= value.Length; i++)
            {
                var fragment = value.Substring(i, 8);
                if (fragment.All(c => char.IsLetterOrDigit(c)) && piece.Contains(fragment, StringComparison.Ordinal))
                {
                    Assert.Fail($"fragment '{fragment}' of a {value.Length}-char value was emitted in '{piece}'");
                }
            }
        }
    }

    [Fact]
    public void Corpus_sentences_stream_to_the_same_text_as_whole_redaction()
    {
        var random = new Random(3);
        foreach (var sample in LabelledCorpus.Generate(seed: 99, perType: 60))
        {
            var chunks = new List<string>();
            for (var p = 0; p < sample.Text.Length;)
            {
                var n = Math.Min(sample.Text.Length - p, random.Next(1, 12));
                chunks.Add(sample.Text.Substring(p, n));
                p += n;
            }

            Assert.Equal(Redactor.Redact(sample.Text).Text, Stream(Redactor, chunks));
        }
    }

    [Fact]
    public void Prose_is_held_back_by_at_most_its_last_word()
    {
        var stream = Redactor.OpenStream();
        var words = "The quick brown fox jumps over the lazy dog and keeps running far away from here".Split(' ');
        var emitted = 0;
        foreach (var word in words)
        {
            emitted += stream.Push(word + " ").Length;
            Assert.True(stream.HeldBack <= word.Length + 1, $"held {stream.HeldBack} after '{word}'");
        }

        Assert.True(emitted > 60);
    }

    [Fact]
    public void Tally_counts_what_the_stream_redacted()
    {
        var stream = Redactor.OpenStream();
        stream.Push("mail jane@exa");
        stream.Push("mple.com and call 020 7946 ");
        stream.Push("0958 now");
        stream.Flush();
        Assert.Equal(1, stream.Tally.Counts[PiiEntityTypes.EmailAddress]);
        Assert.Equal(1, stream.Tally.Counts[PiiEntityTypes.PhoneNumber]);

        // One tally per call: the streams' tallies merge into it.
        var call = Redactor.Redact("and jane@example.com").Tally;
        call.Merge(stream.Tally);
        Assert.Equal(2, call.Counts[PiiEntityTypes.EmailAddress]);
        Assert.Equal(3, call.Total);
        Assert.Equal(PiiAction.Redact, call.Action);
    }

    [Fact]
    public void Custom_types_are_held_back_for_their_maximum_length()
    {
        var custom = new CustomEntityType { Name = "EMPLOYEE_ID", Pattern = @"EMP ID \d{6}", MaxLength = 16 };
        var redactor = new PiiRedactor(PiiDirection.Response, new Dictionary<string, PiiAction> { ["EMPLOYEE_ID"] = PiiAction.Redact }, customTypes: [custom]);
        const string text = "staff EMP ID 123456 joined";
        for (var cut = 1; cut < text.Length; cut++)
        {
            Assert.Equal("staff [EMPLOYEE_ID] joined", Stream(redactor, [text[..cut], text[cut..]]));
        }
    }
}
