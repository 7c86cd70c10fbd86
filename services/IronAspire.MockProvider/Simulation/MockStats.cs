using System.Collections.Concurrent;

namespace IronAspire.MockProvider.Simulation;

/// <summary>What reached the simulator: tests use it to prove a call did (or did not) reach the provider.</summary>
public sealed class MockStats
{
    private readonly ConcurrentDictionary<string, long> _byEndpoint = new();
    private readonly ConcurrentDictionary<string, long> _byModel = new();
    private long _total;

    public string? LastAuthorization { get; private set; }
    public string? LastRequestBody { get; private set; }

    public void Record(string endpoint, string? model, string? authorization, string? body)
    {
        Interlocked.Increment(ref _total);
        _byEndpoint.AddOrUpdate(endpoint, 1, (_, n) => n + 1);
        if (model is not null)
        {
            _byModel.AddOrUpdate(model, 1, (_, n) => n + 1);
        }

        LastAuthorization = authorization;
        LastRequestBody = body;
    }

    public object Snapshot() => new
    {
        total = Interlocked.Read(ref _total),
        byEndpoint = _byEndpoint.ToDictionary(),
        byModel = _byModel.ToDictionary(),
        lastAuthorization = LastAuthorization,
        lastRequestBody = LastRequestBody,
    };

    public void Reset()
    {
        Interlocked.Exchange(ref _total, 0);
        _byEndpoint.Clear();
        _byModel.Clear();
        LastAuthorization = null;
        LastRequestBody = null;
    }
}
