using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Anthropic;
using Anthropic.Models.Messages;

namespace IronAspire.Router.Tests;

/// <summary>
/// Azure OpenAI as a provider kind, against the MockProvider speaking Azure's URL scheme: deployment URLs with the
/// api-version, the provider key in the api-key header, model names mapped to deployments.
/// </summary>
public sealed class AzureOpenAIProviderTests : IAsyncLifetime
{
    private const string AzureKey = "azure-secret-0123456789";
    private MockProviderHost _mock = null!;
    private RouterHost _router = null!;

    public async Task InitializeAsync()
    {
        _mock = await MockProviderHost.StartAsync();
        var settings = RouterHost.Provider(0, "azure-east", "AzureOpenAI", _mock.Url, AzureKey, "gpt-4o*", "text-embedding-*");
        settings["Router:Providers:0:ApiVersion"] = "2024-10-21";
        settings["Router:Providers:0:Deployments:gpt-4o"] = "prod-gpt4o";
        _router = await RouterHost.StartAsync(settings);
    }

    public async Task DisposeAsync()
    {
        await _router.DisposeAsync();
        await _mock.DisposeAsync();
    }

    private async Task<JsonObject> StatsAsync() => (await _mock.Admin.GetFromJsonAsync<JsonObject>("/admin/stats"))!;

    [Fact]
    public async Task A_chat_call_goes_to_the_models_deployment_with_the_api_version_and_the_api_key_header()
    {
        using var response = await _router.PostAsync("/v1/chat/completions", RouterHost.Chat("gpt-4o"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("azure-east", response.Headers.GetValues("x-ironaspire-provider").Single());
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("chat.completion", body["object"]!.GetValue<string>());
        Assert.True(body["usage"]!["completion_tokens"]!.GetValue<int>() > 0);

        var stats = await StatsAsync();
        Assert.Equal("/openai/deployments/prod-gpt4o/chat/completions?api-version=2024-10-21", stats["lastPath"]!.GetValue<string>());
        Assert.Equal(AzureKey, stats["lastApiKey"]!.GetValue<string>());
        Assert.Equal(AzureKey, stats["lastAuthorization"]!.GetValue<string>());
        Assert.Equal(1, stats["byApi"]!["azure"]!.GetValue<long>());
        Assert.DoesNotContain(RouterHost.AgentKey, stats.ToJsonString());

        // A model without a mapping goes to the deployment of its own name; streams pass through as they do from OpenAI.
        using var streamed = await _router.PostAsync("/v1/chat/completions", RouterHost.Chat("gpt-4o-mini", stream: true));
        Assert.Equal(HttpStatusCode.OK, streamed.StatusCode);
        var events = await streamed.Content.ReadAsStringAsync();
        Assert.Contains("chat.completion.chunk", events);
        Assert.EndsWith("data: [DONE]\n\n", events);
        Assert.Equal("/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21", (await StatsAsync())["lastPath"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_api_version_is_the_providers_own_and_the_clients_query_string_is_dropped()
    {
        using var response = await _router.PostAsync("/v1/chat/completions?api-version=2099-01-01&organization=org-other", RouterHost.Chat("gpt-4o"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("/openai/deployments/prod-gpt4o/chat/completions?api-version=2024-10-21", (await StatsAsync())["lastPath"]!.GetValue<string>());
    }

    [Fact]
    public async Task Embeddings_go_to_their_deployment()
    {
        using var response = await _router.PostAsync("/v1/embeddings", """{"model":"text-embedding-3-small","input":"hello"}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("/openai/deployments/text-embedding-3-small/embeddings?api-version=2024-10-21", (await StatsAsync())["lastPath"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_Anthropic_SDK_reaches_an_Azure_deployment_through_translation()
    {
        var message = await new AnthropicClient
        {
            HttpClient = _router.CreateClient(),
            BaseUrl = _router.Client.BaseAddress!.ToString().TrimEnd('/'),
            ApiKey = RouterHost.AgentKey,
            MaxRetries = 0,
            ResponseValidation = true,
        }.Messages.Create(new MessageCreateParams { MaxTokens = 32, Messages = [new UserMessageParam("Say hello")], Model = "gpt-4o" });

        Assert.True(message.Content[0].TryPickText(out var text));
        Assert.StartsWith("IronAspire mock provider here.", text!.Text);
        Assert.True(message.Usage.OutputTokens > 0);
        Assert.Equal("/openai/deployments/prod-gpt4o/chat/completions?api-version=2024-10-21", (await StatsAsync())["lastPath"]!.GetValue<string>());
    }
}
