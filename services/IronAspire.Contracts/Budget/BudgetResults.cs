namespace IronAspire.Contracts.Budget;

/// <summary>What <see cref="BudgetClient.ReserveAsync"/> answers; only <see cref="Reserved"/> lets a call go ahead.</summary>
public abstract record BudgetReserveResult
{
    /// <summary>201: the worst case is held until <see cref="ReservationCreated.ExpiresAt"/>.</summary>
    public sealed record Reserved(ReservationCreated Reservation) : BudgetReserveResult;

    /// <summary>402 <c>budget_exceeded</c>: the <paramref name="Scope"/> level (agent or project) cannot pay for the call.
    /// <paramref name="Message"/> names spent and limit, written for the agent's operator.</summary>
    public sealed record Refused(string Scope, decimal SpentUsd, decimal ReservedUsd, decimal LimitUsd, string Message) : BudgetReserveResult;

    /// <summary>400: <c>unknown_model_price</c> (the model has no price, so its cost cannot be bounded) or
    /// <c>invalid_request</c> (a field is out of range; <paramref name="Message"/> says which).</summary>
    public sealed record Invalid(string Code, string Message) : BudgetReserveResult;

    /// <summary>503 or unreachable: the budget store cannot be used (Redis down, ledger rebuild). Fail closed: do not call.</summary>
    public sealed record Unavailable(string Message) : BudgetReserveResult;
}

public enum BudgetSettleStatus
{
    /// <summary>200: settled now.</summary>
    Settled,

    /// <summary>200: it had been settled before (a retry); <see cref="BudgetSettleResult.Result"/> repeats the first answer.</summary>
    AlreadySettled,

    /// <summary>409 (released before) or 410 (expired before): the reservation no longer held budget, but a commit's cost
    /// was still recorded as spent, because the call happened. Terminal: do not retry.</summary>
    Late,

    /// <summary>404: no such reservation (never existed, or settled more than a day ago). Terminal.</summary>
    NotFound,

    /// <summary>400: the usage was invalid (negative tokens, cached above input). Terminal: a caller bug, logged.</summary>
    Rejected,
}

/// <summary>What commit and release answer. Transient failures (5xx, unreachable) throw instead, so a retry loop retries.</summary>
public sealed record BudgetSettleResult(BudgetSettleStatus Status, CommitResult? Result, string? Code = null, string? Message = null);
