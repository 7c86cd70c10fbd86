using IronAspire.Contracts.Budget;

namespace IronAspire.Budget.Tests;

/// <summary>The shared typed client (what the Router and the Supervisor call) against the real service.</summary>
public class BudgetClientTests(BudgetServiceFactory service) : IClassFixture<BudgetServiceFactory>
{
    private static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..24];

    [Fact]
    public async Task Reserve_commit_and_release_map_every_answer_of_the_service()
    {
        var budget = service.CreateBudgetClient();
        var agent = NewId("client");
        var status = await budget.SetAgentBudgetAsync(agent, new BudgetLimitRequest(0.01m, "daily"));
        Assert.Equal(0.01m, status.LimitUsd);
        Assert.Equal("daily", status.Period);

        var reserved = Assert.IsType<BudgetReserveResult.Reserved>(await budget.ReserveAsync(new ReservationRequest(agent, null, "gpt-4o-mini", 1000, 1000)));
        var commit = await budget.CommitAsync(reserved.Reservation.ReservationId, new CommitRequest(1000, 500, CachedInputTokens: 400));
        var again = await budget.CommitAsync(reserved.Reservation.ReservationId, new CommitRequest(1000, 500, CachedInputTokens: 400));
        var refused = Assert.IsType<BudgetReserveResult.Refused>(await budget.ReserveAsync(new ReservationRequest(agent, null, "gpt-4o", 1000, 1000)));
        var unknownModel = Assert.IsType<BudgetReserveResult.Invalid>(await budget.ReserveAsync(new ReservationRequest(agent, null, "no-such-model", 1, 1)));
        var invalid = Assert.IsType<BudgetReserveResult.Invalid>(await budget.ReserveAsync(new ReservationRequest(agent, null, "gpt-4o", -5, 1)));
        var toRelease = Assert.IsType<BudgetReserveResult.Reserved>(await budget.ReserveAsync(new ReservationRequest(agent, null, "gpt-4o-mini", 10, 10)));
        var release = await budget.ReleaseAsync(toRelease.Reservation.ReservationId);
        var lateCommit = await budget.CommitAsync(toRelease.Reservation.ReservationId, new CommitRequest(10, 10));
        var missing = await budget.CommitAsync("res_missing", new CommitRequest(1, 1));
        var rejected = await budget.CommitAsync(reserved.Reservation.ReservationId, new CommitRequest(1, -1));

        // gpt-4o-mini: 1000 × 1000 reserved = 0.00075 USD; used 600 × 0.15 + 400 × 0.075 + 500 × 0.60 = 420 micro-USD.
        Assert.Equal(0.00075m, reserved.Reservation.ReservedUsd);
        Assert.Equal(0.01m - 0.00075m, reserved.Reservation.RemainingUsd);
        Assert.Equal(BudgetSettleStatus.Settled, commit.Status);
        Assert.Equal(0.00042m, commit.Result!.CostUsd);
        Assert.Equal(0.00042m, commit.Result.SpentUsd);
        Assert.Equal(BudgetSettleStatus.AlreadySettled, again.Status);
        Assert.Equal(commit.Result.SpentUsd, again.Result!.SpentUsd);
        Assert.Equal("agent", refused.Scope);
        Assert.Equal(0.01m, refused.LimitUsd);
        Assert.Equal(0.00042m, refused.SpentUsd);
        Assert.Contains("0.00042", refused.Message);
        Assert.Equal("unknown_model_price", unknownModel.Code);
        Assert.Equal("invalid_request", invalid.Code);
        Assert.Contains("inputTokens", invalid.Message);
        Assert.Equal(BudgetSettleStatus.Settled, release.Status);
        Assert.Equal(0m, release.Result!.CostUsd);
        Assert.Equal(BudgetSettleStatus.Late, lateCommit.Status);
        Assert.Equal("reservation_released", lateCommit.Code);
        Assert.Equal(0.0000075m, lateCommit.Result!.CostUsd);
        Assert.Equal(BudgetSettleStatus.NotFound, missing.Status);
        Assert.Equal(BudgetSettleStatus.Rejected, rejected.Status);

        var after = await budget.GetAgentBudgetAsync(agent);
        Assert.Equal(0.00042m + 0.0000075m, after!.SpentUsd);
        Assert.Equal(0m, after.ReservedUsd);
        Assert.Null(await budget.GetAgentBudgetAsync(NewId("none")));
    }

    [Fact]
    public async Task A_project_budget_shared_by_two_agents_refuses_at_the_project_level()
    {
        var budget = service.CreateBudgetClient();
        var project = NewId("shared");
        var (a, b) = (NewId("a"), NewId("b"));
        await budget.SetProjectBudgetAsync(project, new BudgetLimitRequest(0.001m));
        await budget.SetAgentBudgetAsync(a, new BudgetLimitRequest(1m));
        await budget.SetAgentBudgetAsync(b, new BudgetLimitRequest(1m));

        // gpt-4o-mini 1000 in + 1000 out = 0.00075 USD: one fits the project, the other agent's call does not.
        var first = Assert.IsType<BudgetReserveResult.Reserved>(await budget.ReserveAsync(new ReservationRequest(a, project, "gpt-4o-mini", 1000, 1000)));
        var second = Assert.IsType<BudgetReserveResult.Refused>(await budget.ReserveAsync(new ReservationRequest(b, project, "gpt-4o-mini", 1000, 1000)));

        Assert.Equal(0.00025m, first.Reservation.RemainingUsd);
        Assert.Equal("project", second.Scope);
        Assert.Equal(0.00075m, second.ReservedUsd);
        Assert.Equal(0.00075m, (await budget.GetProjectBudgetAsync(project))!.ReservedUsd);
        await Assert.ThrowsAsync<ArgumentException>(() => budget.SetProjectBudgetAsync(project, new BudgetLimitRequest(1m, "weekly")));
    }
}
