using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Anthropic;
using Anthropic.Models.Messages;
using IronAspire.MockProvider.Simulation;
using OpenAI;
using OpenAI.Chat;

namespace IronAspire.Router.Tests;

/// <summary>
/// Gateway mode through the Router to a real MockProvider: the official OpenAI SDK calling a Claude model (served by
/// the Anthropic API) and the official Anthropic SDK calling a GPT model (served by the OpenAI API), streaming and
/// not, with a tool call round trip; errors in the client's format; fields that cannot be translated refused.
/// </summary>
public sealed class GatewayTranslationTests : IAsyncLifetime
{
    private MockProviderHost _mock = null!;
    private RouterHost _router = null!;

    public async Task InitializeAsync()
    {
        _mock = await MockProviderHost.StartAsync();
        var settings = RouterHost.OpenAIAndAnthropic(_mock.Url);
        settings["Router:Resilience:MaxRetries"] = "0";
        _router = await RouterHost.StartAsync(settings);
        (await _mock.Admin.DeleteAsync("/admin/stats")).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        await _router.DisposeAsync();
        await _mock.DisposeAsync();
    }

    private ChatClient OpenAIChat(string model) => new(model, new ApiKeyCredential(RouterHost.AgentKey), new OpenAIClientOptions
    {
        Endpoint = new Uri(_router.Client.BaseAddress!, "/v1"),
        Transport = new HttpClientPipelineTransport(_router.CreateClient()),
        RetryPolicy = new ClientRetryPolicy(0),
    });

    private AnthropicClient Anthropic() => new()
    {
        HttpClient = _router.CreateClient(),
        BaseUrl = _router.Client.BaseAddress!.ToString().TrimEnd('/'),
        ApiKey = RouterHost.AgentKey,
        MaxRetries = 0,
        // The SDK checks every field of the translated answers against Anthropic's schema.
        ResponseValidation = true,
    };

    private static ChatTool OpenAIWeather() => ChatTool.CreateFunctionTool(
        "get_weather", "Weather for a city",
        BinaryData.FromString("""{"type":"object","properties":{"location":{"type":"string"},"days":{"type":"integer"}},"required":["location"]}"""));

    private static Tool AnthropicWeather() => new()
    {
        Name = "get_weather",
        Description = "Weather for a city",
        InputSchema = new InputSchema
        {
            Properties = new Dictionary<string, JsonElement>
            {
                ["location"] = JsonDocument.Parse("""{"type":"string"}""").RootElement,
                ["days"] = JsonDocument.Parse("""{"type":"integer"}""").RootElement,
            },
        },
    };

    private async Task<JsonObject> StatsAsync() => (await _mock.Admin.GetFromJsonAsync<JsonObject>("/admin/stats"))!;

    [Fact]
    public async Task The_OpenAI_SDK_calls_a_claude_model_through_the_Anthropic_api_with_usage()
    {
        var completion = (await OpenAIChat("claude-sonnet-4").CompleteChatAsync(
            [new SystemChatMessage("You are terse."), new UserChatMessage("Say hello"), new AssistantChatMessage("Hello."), new UserChatMessage("Again")],
            new ChatCompletionOptions { MaxOutputTokenCount = 64, Temperature = 0.5f, StopSequences = { "END" } })).Value;

        Assert.StartsWith("IronAspire mock provider here.", completion.Content[0].Text);
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        Assert.Equal("claude-sonnet-4", completion.Model);
        // The mock counts 3 + per message (3 + ceil(chars/4)): system "You are terse." and three turns.
        Assert.Equal(3 + (3 + 4) + (3 + 3) + (3 + 2) + (3 + 2), completion.Usage.InputTokenCount);
        Assert.True(completion.Usage.OutputTokenCount is > 0 and <= 64);

        var stats = await StatsAsync();
        Assert.Equal(1, stats["byEndpoint"]!["messages"]!.GetValue<long>());
        Assert.Null(stats["byEndpoint"]!["chat.completions"]);
        var sent = JsonNode.Parse(stats["lastRequestBody"]!.GetValue<string>())!;
        Assert.Equal("You are terse.", sent["system"]![0]!["text"]!.GetValue<string>());
        Assert.Equal(64, sent["max_tokens"]!.GetValue<int>());
        Assert.Equal(0.5, sent["temperature"]!.GetValue<double>(), 3);
        Assert.Equal("END", sent["stop_sequences"]![0]!.GetValue<string>());
        Assert.Equal(["user", "assistant", "user"], sent["messages"]!.AsArray().Select(m => m!["role"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_claude_model_without_a_max_gets_the_routers_output_cap_as_anthropics_required_max_tokens()
    {
        using var response = await _router.PostAsync("/v1/chat/completions", """{"model":"claude-haiku-4-5","messages":[{"role":"user","content":"hi"}]}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("chat.completion", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["object"]!.GetValue<string>());
        var sent = JsonNode.Parse((await StatsAsync())["lastRequestBody"]!.GetValue<string>())!;
        Assert.Equal(4096, sent["max_tokens"]!.GetValue<int>());
    }

    [Fact]
    public async Task The_OpenAI_SDK_streams_a_claude_model_chunk_by_chunk_with_the_final_usage()
    {
        var deltas = new List<string>();
        ChatTokenUsage? usage = null;
        ChatFinishReason? finish = null;
        await foreach (var update in OpenAIChat("claude-sonnet-4").CompleteChatStreamingAsync(
            [new UserChatMessage("Say hello")], new ChatCompletionOptions { MaxOutputTokenCount = 32 }))
        {
            deltas.AddRange(update.ContentUpdate.Select(part => part.Text));
            usage ??= update.Usage;
            finish ??= update.FinishReason;
        }

        Assert.True(deltas.Count > 3, "the text arrives as many deltas, as the provider sent it");
        Assert.StartsWith("IronAspire mock provider here.", string.Concat(deltas));
        Assert.Equal(ChatFinishReason.Stop, finish);
        Assert.NotNull(usage);
        Assert.Equal(3 + (3 + 3), usage!.InputTokenCount);
        Assert.True(usage.OutputTokenCount is > 0 and <= 32);
        Assert.Equal(1, (await StatsAsync())["byEndpoint"]!["messages"]!.GetValue<long>());
    }

    [Fact]
    public async Task The_OpenAI_SDK_round_trips_a_tool_call_with_a_claude_model_streaming_and_not()
    {
        var chat = OpenAIChat("claude-sonnet-4");
        var options = new ChatCompletionOptions { Tools = { OpenAIWeather() }, ToolChoice = ChatToolChoice.CreateRequiredChoice(), MaxOutputTokenCount = 200 };
        List<ChatMessage> messages = [new UserChatMessage("Weather in Paris?")];

        var first = (await chat.CompleteChatAsync(messages, options)).Value;
        Assert.Equal(ChatFinishReason.ToolCalls, first.FinishReason);
        var call = Assert.Single(first.ToolCalls);
        Assert.Equal("get_weather", call.FunctionName);
        Assert.StartsWith("toolu_", call.Id);
        var arguments = JsonDocument.Parse(call.FunctionArguments).RootElement;
        Assert.Equal("Paris", arguments.GetProperty("location").GetString());
        Assert.Equal(1, arguments.GetProperty("days").GetInt32());
        Assert.True(first.Usage.OutputTokenCount > 0);
        var sentFirst = JsonNode.Parse((await StatsAsync())["lastRequestBody"]!.GetValue<string>())!;
        Assert.Equal("any", sentFirst["tool_choice"]!["type"]!.GetValue<string>());
        Assert.Equal("object", sentFirst["tools"]![0]!["input_schema"]!["type"]!.GetValue<string>());

        // Streamed: id and name first, then the arguments in pieces.
        string? streamedId = null, streamedName = null;
        var streamedArguments = new System.Text.StringBuilder();
        ChatFinishReason? finish = null;
        await foreach (var update in chat.CompleteChatStreamingAsync(messages, options))
        {
            foreach (var part in update.ToolCallUpdates)
            {
                Assert.Equal(0, part.Index);
                streamedId ??= part.ToolCallId;
                streamedName ??= part.FunctionName;
                streamedArguments.Append(part.FunctionArgumentsUpdate?.ToString());
            }

            finish ??= update.FinishReason;
        }

        Assert.Equal(ChatFinishReason.ToolCalls, finish);
        Assert.StartsWith("toolu_", streamedId);
        Assert.Equal("get_weather", streamedName);
        Assert.Equal("Paris", JsonDocument.Parse(streamedArguments.ToString()).RootElement.GetProperty("location").GetString());

        // The result goes back as Anthropic's tool_result, and the model answers in text.
        messages.Add(new AssistantChatMessage(first));
        messages.Add(new ToolChatMessage(call.Id, "Sunny, 21 C"));
        var answer = (await chat.CompleteChatAsync(messages, new ChatCompletionOptions { Tools = { OpenAIWeather() }, MaxOutputTokenCount = 64 })).Value;
        Assert.Equal(ChatFinishReason.Stop, answer.FinishReason);
        Assert.StartsWith("IronAspire mock provider here.", answer.Content[0].Text);
        var sent = JsonNode.Parse((await StatsAsync())["lastRequestBody"]!.GetValue<string>())!;
        var turns = sent["messages"]!.AsArray();
        Assert.Equal("tool_use", turns[1]!["content"]![0]!["type"]!.GetValue<string>());
        Assert.Equal("Paris", turns[1]!["content"]![0]!["input"]!["location"]!.GetValue<string>());
        var result = turns[2]!["content"]![0]!;
        Assert.Equal("tool_result", result["type"]!.GetValue<string>());
        Assert.Equal(call.Id, result["tool_use_id"]!.GetValue<string>());
        Assert.Equal("Sunny, 21 C", result["content"]![0]!["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_Anthropic_SDK_calls_a_gpt_model_through_the_OpenAI_api_with_usage()
    {
        var message = await Anthropic().Messages.Create(new MessageCreateParams
        {
            MaxTokens = 64,
            System = "You are terse.",
            Messages = [new UserMessageParam("Say hello")],
            Model = "gpt-4o",
            StopSequences = ["END"],
        });

        Assert.True(message.Content[0].TryPickText(out var text));
        Assert.StartsWith("IronAspire mock provider here.", text!.Text);
        Assert.Equal(StopReason.EndTurn, message.StopReason?.Value());
        Assert.Equal(3 + (3 + 4) + (3 + 3), message.Usage.InputTokens);
        Assert.Equal(0, message.Usage.CacheReadInputTokens);
        Assert.True(message.Usage.OutputTokens is > 0 and <= 64);

        var stats = await StatsAsync();
        Assert.Equal(1, stats["byEndpoint"]!["chat.completions"]!.GetValue<long>());
        var sent = JsonNode.Parse(stats["lastRequestBody"]!.GetValue<string>())!;
        Assert.Equal("system", sent["messages"]![0]!["role"]!.GetValue<string>());
        Assert.Equal("You are terse.", sent["messages"]![0]!["content"]!.GetValue<string>());
        Assert.Equal(64, sent["max_completion_tokens"]!.GetValue<int>());
        Assert.Equal("END", sent["stop"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task The_Anthropic_SDK_streams_a_gpt_model_event_by_event_with_the_final_usage()
    {
        var deltas = new List<string>();
        long? outputTokens = null, inputTokens = null;
        string? stopReason = null;
        var events = new List<string>();
        await foreach (var evt in Anthropic().Messages.CreateStreaming(new MessageCreateParams
        {
            MaxTokens = 16,
            Messages = [new UserMessageParam("Say hello")],
            Model = "gpt-4o-mini",
        }))
        {
            if (evt.TryPickStart(out _))
            {
                events.Add("message_start");
            }

            if (evt.TryPickContentBlockDelta(out var delta) && delta!.Delta.TryPickText(out var piece))
            {
                deltas.Add(piece!.Text);
            }

            if (evt.TryPickDelta(out var messageDelta))
            {
                events.Add("message_delta");
                outputTokens = messageDelta!.Usage.OutputTokens;
                inputTokens = messageDelta.Usage.InputTokens;
                stopReason = messageDelta.Delta.StopReason?.Value().ToString();
            }

            if (evt.TryPickStop(out _))
            {
                events.Add("message_stop");
            }
        }

        Assert.Equal(["message_start", "message_delta", "message_stop"], events);
        Assert.True(deltas.Count > 3);
        Assert.StartsWith("IronAspire mock provider here.", string.Concat(deltas));
        Assert.True(outputTokens is > 0 and <= 16);
        Assert.Equal(3 + (3 + 3), inputTokens);
        // The mock shortens its reply to fit the max and ends it normally.
        Assert.Equal(nameof(StopReason.EndTurn), stopReason);
        Assert.Equal(1, (await StatsAsync())["byEndpoint"]!["chat.completions"]!.GetValue<long>());
    }

    [Fact]
    public async Task The_Anthropic_SDK_round_trips_a_tool_call_with_a_gpt_model_streaming_and_not()
    {
        var request = new MessageCreateParams
        {
            MaxTokens = 256,
            Messages = [new UserMessageParam("Weather in Paris?")],
            Model = "gpt-4o",
            Tools = [AnthropicWeather()],
            ToolChoice = new ToolChoiceAny(),
        };

        var message = await Anthropic().Messages.Create(request);
        Assert.Equal(StopReason.ToolUse, message.StopReason?.Value());
        Assert.True(message.Content[0].TryPickToolUse(out var toolUse));
        Assert.Equal("get_weather", toolUse!.Name);
        Assert.StartsWith("call_", toolUse.ID);
        Assert.Equal("Paris", toolUse.Input["location"].GetString());
        Assert.Equal(1, toolUse.Input["days"].GetInt32());
        Assert.True(message.Usage.OutputTokens > 0);
        Assert.Equal("required", JsonNode.Parse((await StatsAsync())["lastRequestBody"]!.GetValue<string>())!["tool_choice"]!.GetValue<string>());

        var json = new System.Text.StringBuilder();
        string? name = null;
        string? stopReason = null;
        await foreach (var evt in Anthropic().Messages.CreateStreaming(request))
        {
            if (evt.TryPickContentBlockStart(out var start) && start!.ContentBlock.TryPickToolUse(out var block))
            {
                name = block!.Name;
            }

            if (evt.TryPickContentBlockDelta(out var delta) && delta!.Delta.TryPickInputJson(out var input))
            {
                json.Append(input!.PartialJson);
            }

            if (evt.TryPickDelta(out var messageDelta))
            {
                stopReason = messageDelta!.Delta.StopReason?.Value().ToString();
            }
        }

        Assert.Equal("get_weather", name);
        Assert.Equal(nameof(StopReason.ToolUse), stopReason);
        Assert.Equal("Paris", JsonDocument.Parse(json.ToString()).RootElement.GetProperty("location").GetString());

        // The tool result goes back as an OpenAI tool message, and the model answers in text.
        var answer = await Anthropic().Messages.Create(new MessageCreateParams
        {
            MaxTokens = 64,
            Model = "gpt-4o",
            Tools = [AnthropicWeather()],
            Messages =
            [
                new UserMessageParam("Weather in Paris?"),
                new AssistantMessageParam(new List<ContentBlockParam> { new ToolUseBlockParam { ID = toolUse.ID, Name = toolUse.Name, Input = toolUse.Input } }),
                new UserMessageParam(new List<ContentBlockParam> { new ToolResultBlockParam(toolUse.ID) { Content = "Sunny, 21 C" } }),
            ],
        });
        Assert.True(answer.Content[0].TryPickText(out var text));
        Assert.StartsWith("IronAspire mock provider here.", text!.Text);
        var sent = JsonNode.Parse((await StatsAsync())["lastRequestBody"]!.GetValue<string>())!["messages"]!.AsArray();
        Assert.Equal(toolUse.ID, sent[1]!["tool_calls"]![0]!["id"]!.GetValue<string>());
        Assert.Equal("Paris", JsonNode.Parse(sent[1]!["tool_calls"]![0]!["function"]!["arguments"]!.GetValue<string>())!["location"]!.GetValue<string>());
        Assert.Equal("tool", sent[2]!["role"]!.GetValue<string>());
        Assert.Equal(toolUse.ID, sent[2]!["tool_call_id"]!.GetValue<string>());
        Assert.Equal("Sunny, 21 C", sent[2]!["content"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_provider_error_reaches_the_client_in_its_own_format()
    {
        await _mock.SetFaultAsync(new FaultSettings { Status = 429, RetryAfterSeconds = 30 });
        try
        {
            using var openai = await _router.PostAsync("/v1/chat/completions", RouterHost.Chat("claude-sonnet-4"));
            Assert.Equal(HttpStatusCode.TooManyRequests, openai.StatusCode);
            Assert.Equal("30", openai.Headers.RetryAfter!.ToString());
            var openaiError = JsonNode.Parse(await openai.Content.ReadAsStringAsync())!["error"]!;
            Assert.Equal("rate_limit_error", openaiError["type"]!.GetValue<string>());
            Assert.Contains("Injected fault", openaiError["message"]!.GetValue<string>());

            using var anthropic = await _router.PostAsync("/v1/messages", RouterHost.Chat("gpt-4o"));
            Assert.Equal(HttpStatusCode.TooManyRequests, anthropic.StatusCode);
            var anthropicError = JsonNode.Parse(await anthropic.Content.ReadAsStringAsync())!;
            Assert.Equal("error", anthropicError["type"]!.GetValue<string>());
            Assert.Equal("rate_limit_error", anthropicError["error"]!["type"]!.GetValue<string>());
        }
        finally
        {
            await _mock.SetFaultAsync(null);
        }
    }

    [Theory]
    [InlineData("/v1/chat/completions", """{"model":"claude-sonnet-4","n":2,"messages":[{"role":"user","content":"hi"}]}""", "n")]
    [InlineData("/v1/chat/completions", """{"model":"claude-sonnet-4","logit_bias":{"50256":-100},"messages":[{"role":"user","content":"hi"}]}""", "logit_bias")]
    [InlineData("/v1/chat/completions", """{"model":"claude-sonnet-4","temperature":1.5,"messages":[{"role":"user","content":"hi"}]}""", "temperature")]
    [InlineData("/v1/chat/completions", """{"model":"claude-sonnet-4","response_format":{"type":"json_object"},"messages":[{"role":"user","content":"hi"}]}""", "response_format")]
    [InlineData("/v1/messages", """{"model":"gpt-4o","max_tokens":10,"top_k":5,"messages":[{"role":"user","content":"hi"}]}""", "top_k")]
    [InlineData("/v1/messages", """{"model":"gpt-4o","max_tokens":10,"thinking":{"type":"enabled","budget_tokens":1024},"messages":[{"role":"user","content":"hi"}]}""", "thinking")]
    public async Task A_field_that_would_change_the_answer_is_refused_with_a_400_naming_it(string path, string body, string field)
    {
        using var response = await _router.PostAsync(path, body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains($"'{field}'", text);
        Assert.Equal(0, (await StatsAsync())["total"]!.GetValue<long>());
    }

    // A value of the wrong kind where translation reads the request was a 500 (the JSON tree's own exception); the
    // provider would refuse it, so the Router does, in the client's format, naming the field.
    [Theory]
    [InlineData("/v1/messages", """{"model":"gpt-4o","max_tokens":10,"messages":[{"role":5,"content":"hi"}]}""", "messages[].role")]
    [InlineData("/v1/messages", """{"model":"gpt-4o","max_tokens":10,"messages":["hi"]}""", "messages[]")]
    [InlineData("/v1/messages", """{"model":"gpt-4o","max_tokens":10,"messages":[{"role":"user","content":[{"type":5}]}]}""", "messages[].content[].type")]
    [InlineData("/v1/messages", """{"model":"gpt-4o","max_tokens":10,"messages":[{"role":"user","content":[{"type":"image","source":{"type":4}}]}]}""", "messages[].content[].source.type")]
    [InlineData("/v1/messages", """{"model":"gpt-4o","max_tokens":10,"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":5,"content":"x"}]}]}""", "messages[].content[].tool_use_id")]
    [InlineData("/v1/messages", """{"model":"gpt-4o","max_tokens":10,"messages":[{"role":"assistant","content":[{"type":"text","text":7}]}]}""", "messages[].content[].text")]
    [InlineData("/v1/messages", """{"model":"gpt-4o","max_tokens":10,"thinking":{"type":5},"messages":[{"role":"user","content":"hi"}]}""", "thinking.type")]
    [InlineData("/v1/messages", """{"model":"gpt-4o","max_tokens":10,"thinking":"on","messages":[{"role":"user","content":"hi"}]}""", "thinking")]
    [InlineData("/v1/messages", """{"model":"gpt-4o","max_tokens":10,"tool_choice":{"type":1},"messages":[{"role":"user","content":"hi"}]}""", "tool_choice.type")]
    [InlineData("/v1/messages", """{"model":"gpt-4o","max_tokens":10,"tools":[{"type":3,"name":"x"}],"messages":[{"role":"user","content":"hi"}]}""", "tools[].type")]
    [InlineData("/v1/messages", """{"model":"gpt-4o","max_tokens":10,"system":5,"messages":[{"role":"user","content":"hi"}]}""", "system")]
    [InlineData("/v1/messages", """{"model":"gpt-4o","max_tokens":10,"stop_sequences":"x","messages":[{"role":"user","content":"hi"}]}""", "stop_sequences")]
    [InlineData("/v1/messages", """{"model":"gpt-4o","max_tokens":10,"metadata":{"user_id":5},"messages":[{"role":"user","content":"hi"}]}""", "metadata.user_id")]
    [InlineData("/v1/chat/completions", """{"model":"claude-sonnet-4","messages":[{"role":5,"content":"hi"}]}""", "messages[].role")]
    [InlineData("/v1/chat/completions", """{"model":"claude-sonnet-4","messages":[{"role":"user","content":[{"type":5}]}]}""", "messages[].content[].type")]
    [InlineData("/v1/chat/completions", """{"model":"claude-sonnet-4","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":5}}]}]}""", "messages[].content[].image_url.url")]
    [InlineData("/v1/chat/completions", """{"model":"claude-sonnet-4","messages":[{"role":"system","content":[5]}]}""", "messages[].content[]")]
    [InlineData("/v1/chat/completions", """{"model":"claude-sonnet-4","messages":[{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"f","arguments":5}}]}]}""", "messages[].tool_calls[].function.arguments")]
    [InlineData("/v1/chat/completions", """{"model":"claude-sonnet-4","messages":[{"role":"assistant","content":null,"tool_calls":[{"id":5,"type":"function","function":{"name":"f","arguments":"{}"}}]}]}""", "messages[].tool_calls[].id")]
    [InlineData("/v1/chat/completions", """{"model":"claude-sonnet-4","messages":[{"role":"tool","tool_call_id":5,"content":"x"}]}""", "messages[].tool_call_id")]
    [InlineData("/v1/chat/completions", """{"model":"claude-sonnet-4","tool_choice":5,"messages":[{"role":"user","content":"hi"}]}""", "tool_choice")]
    [InlineData("/v1/chat/completions", """{"model":"claude-sonnet-4","tools":[{"type":"function","function":{"name":5}}],"messages":[{"role":"user","content":"hi"}]}""", "tools[].function.name")]
    [InlineData("/v1/chat/completions", """{"model":"claude-sonnet-4","response_format":"json","messages":[{"role":"user","content":"hi"}]}""", "response_format")]
    [InlineData("/v1/chat/completions", """{"model":"claude-sonnet-4","stop":5,"messages":[{"role":"user","content":"hi"}]}""", "stop")]
    [InlineData("/v1/chat/completions", """{"model":"claude-sonnet-4","user":5,"messages":[{"role":"user","content":"hi"}]}""", "user")]
    public async Task A_value_of_the_wrong_kind_is_a_400_naming_its_field_before_anything_is_sent(string path, string body, string field)
    {
        using var response = await _router.PostAsync(path, body);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request_error", json["error"]!["type"]!.GetValue<string>());
        Assert.StartsWith($"'{field}' must be ", json["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(0, (await StatsAsync())["total"]!.GetValue<long>());
    }

    // Issue 13's input rules hold on the translated path too: what the client sent, and JSON that translation decodes
    // from inside it (a tool call's arguments), before anything reaches the provider.
    [Theory]
    [InlineData("/v1/chat/completions", """{"model":"claude-sonnet-4\u0007","messages":[{"role":"user","content":"hi"}]}""", "control characters")]
    [InlineData("/v1/chat/completions", """{"model":"claude-sonnet-4","messages":[{"role":"user","content":"nul \u0000 inside"}]}""", "NUL")]
    [InlineData("/v1/messages", """{"model":"gpt-4o","max_tokens":10,"messages":[{"role":"user","content":"lone \ud800 half"}]}""", "surrogate")]
    [InlineData("/v1/chat/completions", """{"model":"claude-sonnet-4","messages":[{"role":"user","content":"a"},{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"\\u0000\"}"}}]},{"role":"tool","tool_call_id":"call_1","content":"x"}]}""", "NUL")]
    [InlineData("/v1/chat/completions", """{"model":"claude-sonnet-4","messages":[{"role":"user","content":"a"},{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"a\",\"city\":\"b\"}"}}]},{"role":"tool","tool_call_id":"call_1","content":"x"}]}""", "repeated keys")]
    public async Task Unfit_text_is_refused_before_translation_sends_anything(string path, string body, string reason)
    {
        using var response = await _router.PostAsync(path, body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(reason, await response.Content.ReadAsStringAsync());
        Assert.Equal(0, (await StatsAsync())["total"]!.GetValue<long>());
    }

    [Fact]
    public async Task Fields_without_an_equivalent_that_do_not_change_the_answer_are_dropped()
    {
        using var response = await _router.PostAsync("/v1/chat/completions",
            """{"model":"claude-sonnet-4","max_tokens":10,"seed":7,"store":false,"n":1,"presence_penalty":0,"user":"u-1","messages":[{"role":"user","content":"hi"}]}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = JsonNode.Parse((await StatsAsync())["lastRequestBody"]!.GetValue<string>())!.AsObject();
        Assert.False(sent.ContainsKey("seed"));
        Assert.False(sent.ContainsKey("store"));
        Assert.Equal("u-1", sent["metadata"]!["user_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Images_are_translated_as_base64_and_url_sources()
    {
        using var toClaude = await _router.PostAsync("/v1/chat/completions", """
            {"model":"claude-sonnet-4","max_tokens":10,"messages":[{"role":"user","content":[
              {"type":"text","text":"What is this?"},
              {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}},
              {"type":"image_url","image_url":{"url":"https://example.com/cat.png"}}]}]}
            """);
        Assert.Equal(HttpStatusCode.OK, toClaude.StatusCode);
        var blocks = JsonNode.Parse((await StatsAsync())["lastRequestBody"]!.GetValue<string>())!["messages"]![0]!["content"]!.AsArray();
        Assert.Equal("base64", blocks[1]!["source"]!["type"]!.GetValue<string>());
        Assert.Equal("image/png", blocks[1]!["source"]!["media_type"]!.GetValue<string>());
        Assert.Equal("iVBORw0KGgo=", blocks[1]!["source"]!["data"]!.GetValue<string>());
        Assert.Equal("https://example.com/cat.png", blocks[2]!["source"]!["url"]!.GetValue<string>());

        using var toGpt = await _router.PostAsync("/v1/messages", """
            {"model":"gpt-4o","max_tokens":10,"messages":[{"role":"user","content":[
              {"type":"image","source":{"type":"base64","media_type":"image/jpeg","data":"/9j/4AAQ"}},
              {"type":"image","source":{"type":"url","url":"https://example.com/dog.jpg"}},
              {"type":"text","text":"And these?"}]}]}
            """);
        Assert.Equal(HttpStatusCode.OK, toGpt.StatusCode);
        var parts = JsonNode.Parse((await StatsAsync())["lastRequestBody"]!.GetValue<string>())!["messages"]![0]!["content"]!.AsArray();
        Assert.Equal("data:image/jpeg;base64,/9j/4AAQ", parts[0]!["image_url"]!["url"]!.GetValue<string>());
        Assert.Equal("https://example.com/dog.jpg", parts[1]!["image_url"]!["url"]!.GetValue<string>());
    }
}
