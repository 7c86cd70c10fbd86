using IronAspire.Contracts.Events;
using IronAspire.Pii.Policies;
using IronAspire.Pii.Redaction;

namespace IronAspire.Pii.Tests;

/// <summary>Issue 13: zero-width characters inside a value and full-width forms of it do not hide it from detection.</summary>
public sealed class ObfuscationTests
{
    private static readonly PiiRedactor Redactor = new(PiiDirection.Request,
        PiiEntityTypes.BuiltIn.ToDictionary(t => t, _ => PiiAction.Redact),
        PiiEntityTypes.BuiltIn.ToDictionary(t => t, _ => PiiRedactionStyle.Placeholder),
        pseudonymizer: PiiPseudonymizer.FromSecret("a-test-key-of-32-characters-long"));

    [Theory]
    [InlineData("card 4242\u200B4242\u200B4242\u200B4242 ok", "card [CREDIT_CARD] ok")]
    [InlineData("card 4\u200D2\u200C4\u20602 4242 4242 4242", "card [CREDIT_CARD]")]
    [InlineData("card \uFF14\uFF12\uFF14\uFF12 \uFF14\uFF12\uFF14\uFF12 \uFF14\uFF12\uFF14\uFF12 \uFF14\uFF12\uFF14\uFF12", "card [CREDIT_CARD]")]
    [InlineData("mail jane\u200B@exam\u00ADple.com now", "mail [EMAIL_ADDRESS] now")]
    [InlineData("mail \uFF4A\uFF41\uFF4E\uFF45\uFF20\uFF45\uFF58\uFF41\uFF4D\uFF50\uFF4C\uFF45\uFF0E\uFF43\uFF4F\uFF4D", "mail [EMAIL_ADDRESS]")]
    [InlineData("\uFEFFkey AKIA\u200BIOSFODNN7EXAMPLE end", "\uFEFFkey [SECRET] end")]
    public void Disguised_values_are_found_and_redacted_whole(string text, string expected)
    {
        Assert.Equal(expected, Redactor.Redact(text).Text);
    }

    [Fact]
    public void Text_with_invisible_or_full_width_characters_but_no_value_is_left_as_it_is()
    {
        const string text = "hello\u200Bworld \uFF21\uFF22\uFF23 \u3000 done";
        Assert.Same(text, Redactor.Redact(text).Text);
    }

    [Fact]
    public void A_disguised_value_split_across_stream_chunks_is_still_redacted()
    {
        var stream = Redactor.OpenStream();
        var output = stream.Push("my card is 4242\u200B42") + stream.Push("42\u200B4242\u200B4242 thanks") + stream.Flush();
        Assert.Equal("my card is [CREDIT_CARD] thanks", output);
    }
}
