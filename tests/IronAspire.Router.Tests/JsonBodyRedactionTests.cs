using System.Text;
using System.Text.Json.Nodes;
using IronAspire.Router.Proxy;

namespace IronAspire.Router.Tests;

public class JsonBodyRedactionTests
{
    private static string Mask(string text) => text.Replace("jane@example.com", "[EMAIL]", StringComparison.Ordinal);

    [Fact]
    public void A_chat_response_has_each_changed_text_spliced_into_the_providers_bytes()
    {
        var body = Encoding.UTF8.GetBytes("""{"id": "c1", "choices": [{"index":0,"message":{"role":"assistant","content":"Mail jane@example.com <now>"},"finish_reason":"stop"},{"index":1,"message":{"content":"nothing here"}}], "usage": {"prompt_tokens":3}}""");

        Assert.True(JsonBodyRedaction.TryRewriteChatResponseTexts(body, Mask, out var result));

        // Everything but the changed text is as the provider wrote it (its spacing); the text is escaped as JSON writers do.
        Assert.Equal("""{"id": "c1", "choices": [{"index":0,"message":{"role":"assistant","content":"Mail [EMAIL] \u003Cnow\u003E"},"finish_reason":"stop"},{"index":1,"message":{"content":"nothing here"}}], "usage": {"prompt_tokens":3}}""",
            Encoding.UTF8.GetString(result.Span));
        Assert.Equal("Mail [EMAIL] <now>", JsonNode.Parse(result.Span)!["choices"]![0]!["message"]!["content"]!.GetValue<string>());
    }

    [Fact]
    public void A_chat_response_nothing_changes_in_is_passed_on_as_it_came()
    {
        var body = new ReadOnlyMemory<byte>(Encoding.UTF8.GetBytes("""{"choices":[{"message":{"content":"plain text","tool_calls":[{"id":"t"}]}}]}"""));

        Assert.True(JsonBodyRedaction.TryRewriteChatResponseTexts(body, Mask, out var result));

        Assert.True(result.Equals(body));
    }

    [Theory]
    [InlineData("""{"type":"message","content":[{"type":"text","text":"jane@example.com"}]}""")] // Anthropic Messages
    [InlineData("""{"object":"response","output":[{"content":[{"type":"output_text","text":"jane@example.com"}]}]}""")] // Responses
    [InlineData("""{"object":"list","data":[]}""")] // no choices at all
    [InlineData("""{"choices":[{"message":{"content":"cut""")] // not whole JSON
    [InlineData("not json")]
    public void Any_other_body_is_left_to_the_tree_path(string body)
    {
        Assert.False(JsonBodyRedaction.TryRewriteChatResponseTexts(Encoding.UTF8.GetBytes(body), Mask, out _));
    }

    [Fact]
    public void The_tree_path_still_redacts_what_the_scan_leaves_to_it()
    {
        var root = (JsonObject)JsonNode.Parse("""{"type":"message","content":[{"type":"text","text":"to jane@example.com"}]}""")!;

        Assert.True(JsonBodyRedaction.RewriteResponseTexts(root, Mask));
        Assert.Equal("to [EMAIL]", root["content"]![0]!["text"]!.GetValue<string>());
    }
}
