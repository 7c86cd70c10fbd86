namespace IronAspire.Pii;

/// <summary>
/// One detected entity: its type and where it is (<see cref="Start"/> inclusive, <see cref="End"/> exclusive, in chars),
/// with a confidence score. Deliberately carries no value: raw values never leave the engine.
/// </summary>
public readonly record struct PiiFinding(string Type, int Start, int End, double Score)
{
    public int Length => End - Start;
}
