namespace IronAspire.MockProvider.Simulation;

/// <summary>The faults set through the admin API; every instance of the simulator has its own.</summary>
public sealed class FaultState
{
    private readonly Lock _lock = new();
    private FaultSettings? _current;
    private int _remaining;

    /// <summary>The settings in force, with <see cref="FaultSettings.RemainingCount"/> showing what is left.</summary>
    public FaultSettings? Current
    {
        get
        {
            lock (_lock)
            {
                return _current is null || _remaining < 0 ? _current : _current with { RemainingCount = _remaining };
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
        // Read without the lock first: the common case (no faults) must cost nothing under load.
        if (Volatile.Read(ref _current) is null)
        {
            return null;
        }

        lock (_lock)
        {
            var current = _current;
            if (current is null)
            {
                return null;
            }

            if (current.Models is { Length: > 0 } models && (model is null || !models.Contains(model, StringComparer.OrdinalIgnoreCase)))
            {
                return null;
            }

            if (_remaining > 0 && --_remaining == 0)
            {
                _current = null;
            }

            return current;
        }
    }
}
