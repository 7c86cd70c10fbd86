using System.Text.Json;
using System.Text.Json.Nodes;
using IronAspire.Router.Errors;
using IronAspire.Router.Providers;
using IronAspire.Router.Proxy.Streams;

namespace IronAspire.Router.Proxy.Translation;

/// <summary>
/// Gateway mode: a Chat Completions call served by an Anthropic provider, or a Messages call served by an
/// OpenAI-dialect provider. The request is rewritten for the provider's API; its answer — whole, streamed event by
/// event, or an error — is rewritten back into the client's.
/// </summary>
public static class DialectTranslation
{
    /// <summary>The upstream operation that serves <paramref name="client"/> on a provider of <paramref name="target"/>; null when it cannot be translated.</summary>
    public static LlmOperation? UpstreamOperation(LlmOperation client, ApiDialect target) =>
        client.Dialect == target ? client
        : client == LlmOperation.ChatCompletions ? LlmOperation.Messages
        : client == LlmOperation.Messages ? LlmOperation.ChatCompletions
        : null;

    /// <summary>The client's (PII-redacted, output-capped) request as the upstream operation's body for <paramref name="model"/>.</summary>
    public static (byte[]? Body, ApiError? Refusal) RequestBody(LlmRequest request, LlmOperation upstream, string model)
    {
        try
        {
            var (body, refusal) = upstream == LlmOperation.Messages
                ? ChatToMessagesRequest.Translate(request.Root, model, request.MaxOutputTokens)
                : MessagesToChatRequest.Translate(request.Root, model, request.MaxOutputTokens);
            return (body is null ? null : JsonSerializer.SerializeToUtf8Bytes(body), refusal);
        }
        catch (JsonKindException ex)
        {
            return (null, ApiError.InvalidRequest(ex.Message, ex.Field));
        }
    }

    /// <summary>A provider's whole answer (upstream operation's format) in the client operation's format.</summary>
    /// <exception cref="JsonException">The answer is not JSON.</exception>
    /// <exception cref="JsonKindException">The answer is not an object, or a field of it is not of the kind its API defines.</exception>
    public static byte[] ResponseBody(LlmOperation client, ReadOnlySpan<byte> upstream, long created)
    {
        if (JsonNode.Parse(upstream) is not JsonObject root)
        {
            throw new JsonKindException("(the answer)", "a JSON object");
        }

        var translated = client == LlmOperation.ChatCompletions
            ? ResponseTranslation.MessageToChatCompletion(root, created)
            : ResponseTranslation.ChatCompletionToMessage(root);
        return JsonSerializer.SerializeToUtf8Bytes(translated);
    }

    /// <summary>
    /// The stream processor of a translated stream: the provider's own processor reads the usage (as billed), the
    /// translator rewrites each event, and the client's processor redacts and hides what the client did not ask for.
    /// </summary>
    public static StreamProcessor StreamProcessor(LlmOperation client, StreamProcessor clientProcessor, long created) =>
        client == LlmOperation.ChatCompletions
            ? new TranslatingStreamProcessor(new AnthropicStreamProcessor(null), new AnthropicToChatStream(created), clientProcessor)
            : new TranslatingStreamProcessor(new OpenAIChatStreamProcessor(null, hideUsageChunk: false), new ChatToAnthropicStream(), clientProcessor);
}
