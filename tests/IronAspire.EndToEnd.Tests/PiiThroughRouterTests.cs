using System.ClientModel;
using System.ClientModel.Primitives;
using IronAspire.Contracts.Agents;
using IronAspire.Pii;
using IronAspire.Pii.Policies;
using OpenAI;
using OpenAI.Chat;
using StackExchange.Redis;

namespace IronAspire.EndToEnd.Tests;

/// <summary>PII policies on the request path: redaction of echoed responses (streamed too) and blocking before the provider.</summary>
[Collection(IronAspireAppCollection.Name)]
public class PiiThroughRouterTests(IronAspireAppFixture fixture)
{
    /// <summary>An agent of its own with a PII policy override, and an SDK client that asks the MockProvider to echo.</summary>
    private async Task<ChatClient> AgentWithPolicyAsync(PiiPolicy policy)
    {
        var agentId = "pii-" + Guid.NewGuid().ToString("N")[..8];
        var key = await fixture.RegisterAgentKeyAsync(agentId);
        await using var redis = await ConnectionMultiplexer.ConnectAsync(await fixture.App.ConnectionStringAsync("cache"));
        await new PiiPolicyStore(redis).SetAgentAsync(agentId, policy);
        // The Router sees a policy change within a second.
        await Task.Delay(1100);
        var options = new OpenAIClientOptions { Endpoint = new Uri(fixture.RouterUrl, "/v1") };
        options.AddPolicy(new EchoModePolicy(), PipelinePosition.PerCall);
        return new ChatClient("gpt-4o-mini", new ApiKeyCredential(key), options);
    }

    [Fact]
    public async Task An_email_echoed_by_the_model_comes_back_as_a_placeholder_streaming_and_not()
    {
        var chat = await AgentWithPolicyAsync(new PiiPolicy { Response = new() { [PiiEntityTypes.EmailAddress] = PiiAction.Redact } });
        const string prompt = "Please write to jane.doe@example.com about the invoice.";

        var completion = (await chat.CompleteChatAsync([new UserChatMessage(prompt)])).Value;

        Assert.Equal("Please write to [EMAIL_ADDRESS] about the invoice.", completion.Content[0].Text);

        var streamed = new System.Text.StringBuilder();
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage(prompt)]))
        {
            foreach (var part in update.ContentUpdate)
            {
                streamed.Append(part.Text);
            }
        }

        Assert.Equal("Please write to [EMAIL_ADDRESS] about the invoice.", streamed.ToString());
    }

    [Fact]
    public async Task A_blocked_type_refuses_the_call_before_the_provider_sees_it()
    {
        var chat = await AgentWithPolicyAsync(new PiiPolicy { Request = new() { [PiiEntityTypes.EmailAddress] = PiiAction.Block } });
        using var mock = fixture.App.CreateHttpClient("mock-provider");
        var before = await RequestsAsync(mock);

        var error = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage("Mail me at john@example.org")]));

        Assert.Equal(400, error.Status);
        Assert.Contains("pii_blocked", error.Message);
        Assert.Contains("EMAIL_ADDRESS", error.Message);
        Assert.DoesNotContain("john@example.org", error.Message);
        Assert.Equal(before, await RequestsAsync(mock));
    }

    private static async Task<long> RequestsAsync(HttpClient mock)
    {
        var stats = System.Text.Json.Nodes.JsonNode.Parse(await mock.GetStringAsync("/admin/stats"))!;
        return stats["total"]!.GetValue<long>();
    }

    private sealed class EchoModePolicy : PipelinePolicy
    {
        public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
        {
            message.Request.Headers.Set("x-mock-mode", "echo");
            ProcessNext(message, pipeline, currentIndex);
        }

        public override ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
        {
            message.Request.Headers.Set("x-mock-mode", "echo");
            return ProcessNextAsync(message, pipeline, currentIndex);
        }
    }
}
