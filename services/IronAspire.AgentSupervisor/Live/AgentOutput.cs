using System.Collections.Concurrent;
using System.Threading.Channels;

namespace IronAspire.AgentSupervisor.Live;

/// <summary>
/// Each agent's stdout/stderr lines as they are written, for whoever follows that agent (GET /v1/agents/{id}/output).
/// A follower has a bounded queue: one too slow to keep up loses its oldest lines rather than slowing the agent's pipes.
/// </summary>
public sealed class AgentOutput
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<Guid, Channel<LogLine>>> _followers = new();

    public void Publish(string agentId, LogLine line)
    {
        if (_followers.TryGetValue(agentId, out var followers))
        {
            foreach (var channel in followers.Values)
            {
                channel.Writer.TryWrite(line);
            }
        }
    }

    public Follower Follow(string agentId)
    {
        var id = Guid.NewGuid();
        var channel = Channel.CreateBounded<LogLine>(new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        _followers.GetOrAdd(agentId, _ => new ConcurrentDictionary<Guid, Channel<LogLine>>())[id] = channel;
        return new Follower(channel.Reader, () =>
        {
            if (_followers.TryGetValue(agentId, out var followers))
            {
                followers.TryRemove(id, out _);
            }
        });
    }

    public sealed class Follower(ChannelReader<LogLine> lines, Action stop) : IDisposable
    {
        public ChannelReader<LogLine> Lines { get; } = lines;

        public void Dispose() => stop();
    }
}
