using IronAspire.Contracts.Events;
using MassTransit;

namespace IronAspire.Analytics.Ingestion;

/// <summary>Stores budget, circuit and agent events in governance_events (their JSON as published).</summary>
public sealed class GovernanceEventsConsumer(EventWriter writer, PoisonEvents poison) :
    IConsumer<Batch<BudgetThresholdCrossed>>,
    IConsumer<Batch<BudgetExhausted>>,
    IConsumer<Batch<CircuitStateChanged>>,
    IConsumer<Batch<AgentStateChanged>>
{
    public Task Consume(ConsumeContext<Batch<BudgetThresholdCrossed>> context) =>
        WriteAsync(context, e => e.BudgetId);

    public Task Consume(ConsumeContext<Batch<BudgetExhausted>> context) =>
        WriteAsync(context, e => e.BudgetId);

    public Task Consume(ConsumeContext<Batch<CircuitStateChanged>> context) =>
        WriteAsync(context, e => e.Provider);

    public Task Consume(ConsumeContext<Batch<AgentStateChanged>> context) =>
        WriteAsync(context, e => e.AgentId);

    private Task WriteAsync<T>(ConsumeContext<Batch<T>> context, Func<T, string> subject) where T : class, IIronAspireEvent =>
        poison.WriteAsync(context, (events, ct) => writer.WriteGovernanceAsync(events.Select(e => EventWriter.ToRecord(e, subject(e))).ToList(), ct));
}
