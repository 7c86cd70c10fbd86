using System.Buffers;
using System.Text;
using IronAspire.Router.Proxy;

namespace IronAspire.Router.Tests;

public class SseEventTests
{
    [Theory]
    [InlineData("data: {\"a\":1}\n", "data: {\"a\":1}\n\n")]
    [InlineData("event: message_start\ndata: {\"type\":\"message_start\"}\n", "event: message_start\ndata: {\"type\":\"message_start\"}\n\n")]
    [InlineData("id: 7\ndata:{\"no_space\":true}\n", "id: 7\ndata:{\"no_space\":true}\n\n")]
    [InlineData("data: {\"crlf\":1}\r\n", "data: {\"crlf\":1}\r\n\r\n")]
    public void An_event_nothing_changed_goes_out_exactly_as_the_provider_sent_it(string raw, string expected) =>
        Assert.Equal(expected, Written(SseEvent.Parse(Encoding.UTF8.GetBytes(raw))));

    [Fact]
    public void A_changed_event_is_written_from_its_new_data()
    {
        var evt = SseEvent.Parse(Encoding.UTF8.GetBytes("id: 7\nevent: delta\ndata: {\"text\":\"jane@example.com\"}\n"));
        evt.Data = "{\"text\":\"<EMAIL_ADDRESS>\"}";

        Assert.Equal("event: delta\ndata: {\"text\":\"<EMAIL_ADDRESS>\"}\n\n", Written(evt));
    }

    [Fact]
    public void An_event_cut_off_without_a_line_break_is_rebuilt_with_its_blank_line()
    {
        var evt = SseEvent.Parse(Encoding.UTF8.GetBytes("data: [DONE]"));

        Assert.Equal("[DONE]", evt.Data);
        Assert.Equal("data: [DONE]\n\n", Written(evt));
    }

    private static string Written(SseEvent evt)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var count = evt.WriteTo(buffer);
        Assert.Equal(buffer.WrittenCount, count);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
