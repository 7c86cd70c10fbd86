using System.Collections.Concurrent;
using System.Text;

namespace IronAspire.MockProvider.Simulation;

/// <summary>What reached the simulator: tests use it to prove a call did (or did not) reach the provider.</summary>
public sealed class MockStats
{
    private readonly ConcurrentDictionary<string, long> _byEndpoint = new();
    private readonly ConcurrentDictionary<string, long> _byModel = new();
    private readonly ConcurrentDictionary<(string Endpoint, string Model), long> _byEndpointModel = new();
    private readonly ConcurrentDictionary<string, long> _byApi = new();
    private long _total;
    private Last? _last;

    /// <summary>The last request; one reference swap so its fields always belong together.</summary>
    private sealed record Last(string Endpoint, string? Model, string? Authorization, string? ApiKey, byte[]? Body, string Path);

    public void Record(ProviderEndpoint endpoint, string? model, HttpRequest request, ReadOnlySpan<byte> body)
    {
        Interlocked.Increment(ref _total);
        // Which of the simulated APIs served it: Azure's URL scheme, else the endpoint's own provider.
        var azure = request.Path.StartsWithSegments("/openai/deployments");
        var name = (azure ? "azure." : "") + endpoint.StatsName();
        _byEndpoint.AddOrUpdate(name, 1, static (_, n) => n + 1);
        _byApi.AddOrUpdate(azure ? "azure" : endpoint.Format() == WireFormat.Anthropic ? "anthropic" : "openai", 1, static (_, n) => n + 1);
        if (model is not null)
        {
            _byModel.AddOrUpdate(model, 1, static (_, n) => n + 1);
            _byEndpointModel.AddOrUpdate((name, model), 1, static (_, n) => n + 1);
        }

        var authorization = request.Headers.Authorization.ToString();
        var apiKey = request.Headers["x-api-key"].ToString();
        if (apiKey.Length == 0)
        {
            apiKey = request.Headers["api-key"].ToString();
        }

        Volatile.Write(ref _last, new Last(
            name,
            model,
            authorization.Length > 0 ? authorization : null,
            apiKey.Length > 0 ? apiKey : null,
            body.IsEmpty ? null : body.ToArray(),
            request.Path + request.QueryString));
    }

    public long Total => Interlocked.Read(ref _total);

    public long Count(ProviderEndpoint endpoint, string? model = null) =>
        model is null
            ? _byEndpoint.GetValueOrDefault(endpoint.StatsName())
            : _byEndpointModel.GetValueOrDefault((endpoint.StatsName(), model));

    public StatsSnapshot Snapshot()
    {
        var last = Volatile.Read(ref _last);
        var byEndpointModel = new Dictionary<string, Dictionary<string, long>>();
        foreach (var ((endpoint, model), count) in _byEndpointModel)
        {
            if (!byEndpointModel.TryGetValue(endpoint, out var models))
            {
                byEndpointModel[endpoint] = models = [];
            }

            models[model] = count;
        }

        return new StatsSnapshot(
            Total,
            _byEndpoint.ToDictionary(),
            _byApi.ToDictionary(),
            _byModel.ToDictionary(),
            byEndpointModel,
            last?.Endpoint,
            last?.Model,
            // Authorization header, else x-api-key: what the caller authenticated with, whatever the API.
            last?.Authorization ?? last?.ApiKey,
            last?.ApiKey,
            last?.Body is { } body ? Encoding.UTF8.GetString(body) : null,
            last?.Path);
    }

    public void Reset()
    {
        Interlocked.Exchange(ref _total, 0);
        _byEndpoint.Clear();
        _byApi.Clear();
        _byModel.Clear();
        _byEndpointModel.Clear();
        Volatile.Write(ref _last, null);
    }
}

/// <summary>The body of <c>GET /admin/stats</c>.</summary>
public sealed record StatsSnapshot(
    long Total,
    Dictionary<string, long> ByEndpoint,
    Dictionary<string, long> ByApi,
    Dictionary<string, long> ByModel,
    Dictionary<string, Dictionary<string, long>> ByEndpointModel,
    string? LastEndpoint,
    string? LastModel,
    string? LastAuthorization,
    string? LastApiKey,
    string? LastRequestBody,
    string? LastPath);
