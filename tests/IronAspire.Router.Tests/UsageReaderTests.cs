using System.Text;
using IronAspire.Router.Proxy;

namespace IronAspire.Router.Tests;

public class UsageReaderTests
{
    [Fact]
    public void Reads_openai_chat_usage_with_cached_tokens()
    {
        var usage = UsageReader.ReadFromBody(Encoding.UTF8.GetBytes("""
            {"id":"x","choices":[{"message":{"content":"usage"}}],"usage":{"prompt_tokens":12,"completion_tokens":7,"total_tokens":19,"prompt_tokens_details":{"cached_tokens":4}}}
            """));

        Assert.Equal(new TokenUsage(12, 4, 7), usage);
    }

    [Fact]
    public void Reads_anthropic_usage_counting_cache_reads_and_writes_as_input()
    {
        var usage = UsageReader.ReadFromBody(Encoding.UTF8.GetBytes("""
            {"type":"message","content":[],"usage":{"input_tokens":10,"output_tokens":5,"cache_read_input_tokens":3,"cache_creation_input_tokens":2}}
            """));

        Assert.Equal(new TokenUsage(15, 3, 5, 2), usage);
    }

    [Fact]
    public void Reads_responses_api_usage()
    {
        var usage = UsageReader.ReadFromBody(Encoding.UTF8.GetBytes("""
            {"object":"response","usage":{"input_tokens":9,"output_tokens":4,"total_tokens":13,"input_tokens_details":{"cached_tokens":1}}}
            """));

        Assert.Equal(new TokenUsage(9, 1, 4), usage);
    }

    [Fact]
    public void Details_of_another_kind_read_as_none_and_the_counts_beside_them_still_count()
    {
        Assert.Equal(new TokenUsage(12, 0, 7), UsageReader.ReadFromBody(
            """{"usage":{"prompt_tokens":12,"completion_tokens":7,"prompt_tokens_details":"none"}}"""u8));
        Assert.Equal(new TokenUsage(9, 0, 4), UsageReader.ReadFromBody(
            """{"usage":{"input_tokens":9,"output_tokens":4,"input_tokens_details":[1]}}"""u8));
    }

    [Fact]
    public void A_responses_stream_event_of_another_kind_passes_and_usage_is_still_read()
    {
        var processor = new IronAspire.Router.Proxy.Streams.OpenAIResponsesStreamProcessor(null);
        var output = new List<SseEvent>();
        processor.Process(new SseEvent(null, """{"type":5,"delta":"x"}"""), output);
        processor.Process(new SseEvent(null, """{"type":"response.completed","response":{"usage":{"input_tokens":2,"output_tokens":3,"input_tokens_details":"x"}}}"""), output);

        Assert.Equal(2, output.Count);
        Assert.Equal(new TokenUsage(2, 0, 3), processor.Usage);
    }

    [Fact]
    public void A_body_without_usage_reads_as_none() =>
        Assert.Null(UsageReader.ReadFromBody("""{"id":"x","choices":[]}"""u8));
}
