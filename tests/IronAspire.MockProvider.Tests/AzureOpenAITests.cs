using System.Net;
using System.Text.Json.Nodes;

namespace IronAspire.MockProvider.Tests;

/// <summary>The MockProvider speaking Azure OpenAI's URL scheme (deployment URLs, api-version, api-key), and /admin/stats naming the API that served.</summary>
public class AzureOpenAITests(MockProviderFactory factory) : IClassFixture<MockProviderFactory>
{
    [Fact]
    public async Task A_deployment_url_with_api_version_and_api_key_is_answered_as_the_deployments_model()
    {
        using var response = await factory.PostAsync("/openai/deployments/prod-gpt4o/chat/completions?api-version=2024-10-21",
            """{"messages":[{"role":"user","content":"hi"}],"max_tokens":8}""", ("api-key", "azure-key"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("prod-gpt4o", body["model"]!.GetValue<string>());

        var stats = await factory.StatsAsync();
        Assert.True(stats["byEndpoint"]!["azure.chat.completions"]!.GetValue<long>() >= 1);
        Assert.True(stats["byApi"]!["azure"]!.GetValue<long>() >= 1);
    }

    [Fact]
    public async Task Without_api_version_or_api_key_azure_refuses()
    {
        using var noVersion = await factory.PostAsync("/openai/deployments/d/chat/completions",
            """{"messages":[{"role":"user","content":"hi"}]}""", ("api-key", "azure-key"));
        Assert.Equal(HttpStatusCode.NotFound, noVersion.StatusCode);

        using var noKey = await factory.PostAsync("/openai/deployments/d/embeddings?api-version=2024-10-21", """{"input":"hi"}""");
        Assert.Equal(HttpStatusCode.Unauthorized, noKey.StatusCode);
    }

    [Fact]
    public async Task Stats_name_the_api_that_served_each_call()
    {
        using var openai = await factory.PostAsync("/v1/chat/completions", """{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}""");
        using var anthropic = await factory.PostAsync("/v1/messages", """{"model":"claude-sonnet-4","max_tokens":8,"messages":[{"role":"user","content":"hi"}]}""");
        Assert.Equal(HttpStatusCode.OK, openai.StatusCode);
        Assert.Equal(HttpStatusCode.OK, anthropic.StatusCode);

        var byApi = (await factory.StatsAsync())["byApi"]!;
        Assert.True(byApi["openai"]!.GetValue<long>() >= 1);
        Assert.True(byApi["anthropic"]!.GetValue<long>() >= 1);
    }
}
