namespace IronAspire.Budget.Budgets;

/// <summary>
/// How a budget resets: never (lifetime), at midnight UTC (daily) or on the first of the month UTC (monthly).
/// Each period has its own counters in Redis, so a reset is just the next period's key — nothing to clear.
/// </summary>
public enum BudgetPeriod
{
    Lifetime,
    Daily,
    Monthly,
}

public static class BudgetPeriods
{
    public static string Key(BudgetPeriod period, DateTimeOffset now) => period switch
    {
        BudgetPeriod.Daily => "d" + now.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        BudgetPeriod.Monthly => "m" + now.UtcDateTime.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture),
        _ => "lifetime",
    };

    public static DateTimeOffset? Start(BudgetPeriod period, DateTimeOffset now) => period switch
    {
        BudgetPeriod.Daily => new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero),
        BudgetPeriod.Monthly => new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero),
        _ => null,
    };

    public static string Name(BudgetPeriod period) => period.ToString().ToLowerInvariant();

    /// <summary>A period key as events name it: "lifetime", "daily:2026-03-01", "monthly:2026-03".</summary>
    public static string Describe(string periodKey) => periodKey switch
    {
        ['d', .. var day] => "daily:" + day,
        ['m', .. var month] => "monthly:" + month,
        _ => periodKey,
    };

    public static bool TryParse(string? value, out BudgetPeriod period) =>
        Enum.TryParse(value ?? "lifetime", ignoreCase: true, out period) && Enum.IsDefined(period);
}

/// <summary>Nano-USD (what Redis counts) to decimal USD (what the APIs show) and back.</summary>
public static class Nanos
{
    public const decimal PerUsd = 1_000_000_000m;

    public static decimal ToUsd(long nanos) => nanos / PerUsd;

    public static long FromUsd(decimal usd) => (long)Math.Round(usd * PerUsd, MidpointRounding.ToZero);
}
