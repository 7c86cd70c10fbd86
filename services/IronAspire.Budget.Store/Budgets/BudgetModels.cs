namespace IronAspire.Budget.Budgets;

/// <summary>The outcome of a reservation attempt, as the API maps it to 201 / 402 / 400 / 503.</summary>
public abstract record ReserveOutcome
{
    public sealed record Reserved(ReservationCreated Reservation) : ReserveOutcome;

    /// <summary>The limit at <paramref name="Scope"/> (agent or project) does not fit the estimate.</summary>
    public sealed record Refused(string Scope, decimal SpentUsd, decimal ReservedUsd, decimal LimitUsd, decimal EstimateUsd) : ReserveOutcome
    {
        public string Message =>
            $"The {Scope} budget cannot pay for this call: spent {SpentUsd:0.#########} USD and {ReservedUsd:0.#########} USD reserved of a {LimitUsd:0.#########} USD limit; this call may cost up to {EstimateUsd:0.#########} USD.";
    }

    public sealed record NoBudget(string Scope) : ReserveOutcome
    {
        public string Message => $"This {Scope} has no budget, so it may not spend anything; set one with PUT /v1/budgets/{{agentId}}.";
    }

    public sealed record UnknownPrice(string Model) : ReserveOutcome
    {
        public string Message => $"The model '{Model}' has no price, so its cost cannot be bounded. Add it to Budget:Prices or set Budget:DefaultPrice.";
    }

    /// <summary>Redis is down, stalled (<paramref name="Stalled"/>: it did not answer in time) or being rebuilt.</summary>
    public sealed record Unavailable(string Reason, bool Stalled = false) : ReserveOutcome;
}

/// <summary>How a settlement went: the API answers 200, or 409/410 for a late commit, or 404.</summary>
public sealed record SettleOutcome(CommitResult Result, string State, string Late);
