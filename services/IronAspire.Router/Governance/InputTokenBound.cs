using IronAspire.Router.Proxy;

namespace IronAspire.Router.Governance;

/// <summary>
/// A provably conservative upper bound of a call's input tokens, without a tokenizer: every token of a byte-level
/// BPE tokenizer (OpenAI's and Anthropic's) covers at least one byte, and the JSON around each message is longer
/// than the few tokens the chat format adds. Images, audio and documents are priced per item, not per byte, so each
/// adds a fixed allowance above the largest per-item price of either provider.
/// </summary>
public static class InputTokenBound
{
    public const int MediaPartAllowance = 6_400;

    public static long For(LlmRequest request, int bodyBytes) => bodyBytes + (long)request.CountMediaParts() * MediaPartAllowance;
}
