using System.Diagnostics.Metrics;

namespace IronAspire.Budget.Telemetry;

/// <summary>The Budget service's meter (exported by ServiceDefaults under the IronAspire.* prefix).</summary>
public sealed class BudgetMetrics : IDisposable
{
    public const string Name = "IronAspire.Budget";

    private readonly Meter _meter;

    public BudgetMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(Name);
        Reservations = _meter.CreateCounter<long>("ironaspire.budget.reservations", description: "Reservation attempts by outcome (reserved, refused, no_budget, unknown_price, unavailable, unchecked)");
        Settlements = _meter.CreateCounter<long>("ironaspire.budget.settlements", description: "Reservations settled, by final state (committed, released, expired) and whether the commit came late");
        SpentNanoUsd = _meter.CreateCounter<long>("ironaspire.budget.spent", unit: "nUSD", description: "Committed cost");
        LedgerDeadLetters = _meter.CreateCounter<long>("ironaspire.budget.ledger.dead_lettered",
            description: "Outbox entries the PostgreSQL ledger can never take, moved to the dead-letter stream instead of blocking the ones behind them");
    }

    public Counter<long> Reservations { get; }
    public Counter<long> Settlements { get; }
    public Counter<long> SpentNanoUsd { get; }
    public Counter<long> LedgerDeadLetters { get; }

    public void Dispose() => _meter.Dispose();
}
