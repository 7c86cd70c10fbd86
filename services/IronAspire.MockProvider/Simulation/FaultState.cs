namespace IronAspire.MockProvider.Simulation;

/// <summary>The faults set through the admin API; every instance of the simulator has its own.</summary>
public sealed class FaultState
{
    private readonly Lock _lock = new();
    private FaultSettings? _current;
    private int _remaining;

    public FaultSettings? Current
    {
        get
        {
            lock (_lock)
            {
                return _current;
            }
        }
    }

    public void Set(FaultSettings? settings)
    {
        lock (_lock)
        {
            _current = settings;
            _remaining = settings?.RemainingCount ?? -1;
        }
    }

    /// <summary>The fault for a request to <paramref name="model"/>, consuming one of a limited count.</summary>
    public FaultSettings? Take(string? model)
    {
        lock (_lock)
        {
            if (_current is null)
            {
                return null;
            }

            if (_current.Models is { Length: > 0 } models && (model is null || !models.Contains(model, StringComparer.OrdinalIgnoreCase)))
            {
                return null;
            }

            if (_remaining == 0)
            {
                return null;
            }

            if (_remaining > 0 && --_remaining == 0)
            {
                var taken = _current;
                _current = null;
                return taken;
            }

            return _current;
        }
    }
}
