using Anthropic;
using Anthropic.Models.Messages;

namespace IronAspire.EndToEnd.Tests;

/// <summary>The official Anthropic SDK, unmodified, through the Router to the MockProvider.</summary>
[Collection(IronAspireAppCollection.Name)]
public class AnthropicThroughRouterTests(IronAspireAppFixture fixture)
{
    private AnthropicClient Client() => new() { BaseUrl = fixture.RouterUrl.ToString().TrimEnd('/'), ApiKey = fixture.DemoKey, MaxRetries = 0 };

    [Fact]
    public async Task A_message_reaches_the_mock_provider_and_comes_back_with_usage()
    {
        var message = await Client().Messages.Create(new MessageCreateParams
        {
            MaxTokens = 64,
            Messages = [new UserMessageParam("Say hello")],
            Model = "claude-sonnet-4-5",
        });

        Assert.True(message.Content[0].TryPickText(out var text));
        Assert.StartsWith("IronAspire mock provider here.", text!.Text);
        Assert.True(message.Usage.InputTokens > 0);
        Assert.True(message.Usage.OutputTokens is > 0 and <= 64);
    }

    [Fact]
    public async Task A_streamed_message_arrives_as_text_deltas_with_usage()
    {
        var deltas = new List<string>();
        long? outputTokens = null;
        await foreach (var evt in Client().Messages.CreateStreaming(new MessageCreateParams
        {
            MaxTokens = 16,
            Messages = [new UserMessageParam("Say hello")],
            Model = "claude-sonnet-4-5",
        }))
        {
            if (evt.TryPickContentBlockDelta(out var delta) && delta!.Delta.TryPickText(out var text))
            {
                deltas.Add(text!.Text);
            }

            if (evt.TryPickDelta(out var messageDelta))
            {
                outputTokens = messageDelta!.Usage.OutputTokens;
            }
        }

        Assert.True(deltas.Count > 3);
        Assert.StartsWith("IronAspire mock provider here.", string.Concat(deltas));
        Assert.True(outputTokens is > 0 and <= 16);
    }
}
