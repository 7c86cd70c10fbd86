using System.Text;
using System.Text.Json;
using IronAspire.MockProvider.Simulation;

namespace IronAspire.MockProvider.Tests;

/// <summary>The token approximation and reply text, without HTTP.</summary>
public class TokenCountTests
{
    [Theory]
    [InlineData("")]
    [InlineData("plain ascii")]
    [InlineData("quote \" backslash \\ newline \n tab \t")]
    [InlineData("accents éàü and CJK 漢字")]
    [InlineData("emoji 🚀🎉 surrogate pairs")]
    [InlineData("<script>&'+</script>")]
    public void The_length_read_from_raw_json_is_the_parsed_string_length(string text)
    {
        foreach (var options in new[] { new JsonSerializerOptions(), new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping } })
        {
            var json = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(text, options));

            Assert.Equal(text.Length, TokenCount.JsonStringLength(json.AsSpan(1, json.Length - 2)));
        }
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 1)]
    [InlineData(4, 1)]
    [InlineData(5, 2)]
    [InlineData(400, 100)]
    public void Four_characters_make_a_token_rounded_up(int chars, int tokens) =>
        Assert.Equal(tokens, TokenCount.OfChars(chars));

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(48)]
    [InlineData(5000)]
    public void The_normal_reply_fits_its_tokens_and_ends_on_a_whole_word(int tokens)
    {
        var reply = ReplyText.Normal(tokens).ToString();

        Assert.True(TokenCount.Of(reply) <= tokens);
        Assert.StartsWith(tokens == 1 ? "Iron" : "IronAspire", reply);
        Assert.False(reply.EndsWith(' '));
        Assert.True(ReplyText.Sentence.Contains(reply.Split(' ')[^1], StringComparison.Ordinal), reply.Split(' ')[^1]);
    }

    [Fact]
    public void An_echo_is_cut_without_splitting_a_surrogate_pair()
    {
        var echo = ReplyText.Echo("abc🚀def", 1, out var truncated);

        Assert.True(truncated);
        Assert.Equal("abc", echo.ToString());
        Assert.False(ReplyText.Echo("short", 10, out var whole).IsEmpty);
        Assert.False(whole);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    public void Chunks_concatenate_to_the_reply_with_the_requested_words_each(int words)
    {
        const string reply = "one two  three four five six seven eight";
        var chunks = new ReplyChunks(reply.AsMemory(), words);
        var parts = new List<string>();
        while (chunks.TryNext(out var chunk))
        {
            parts.Add(chunk.ToString());
        }

        Assert.Equal(reply, string.Concat(parts));
        Assert.Equal((8 + words - 1) / words, parts.Count);
    }

    [Fact]
    public void Input_tokens_count_every_message_with_framing_and_skip_structural_fields()
    {
        using var chat = JsonDocument.Parse("""{"model":"m","messages":[{"role":"system","content":"12345678"},{"role":"user","content":[{"type":"text","text":"1234"}]}]}""");
        using var anthropic = JsonDocument.Parse("""{"model":"m","system":"1234","messages":[{"role":"user","content":"12345"}]}""");
        using var embeddings = JsonDocument.Parse("""{"model":"m","input":["12345",[1,2,3]]}""");

        Assert.Equal(3 + (3 + 2) + (3 + 1), RequestText.InputTokens(chat.RootElement, ProviderEndpoint.ChatCompletions));
        Assert.Equal(3 + (3 + 1) + (3 + 2), RequestText.InputTokens(anthropic.RootElement, ProviderEndpoint.Messages));
        Assert.Equal(2 + 3, RequestText.InputTokens(embeddings.RootElement, ProviderEndpoint.Embeddings));
    }
}
