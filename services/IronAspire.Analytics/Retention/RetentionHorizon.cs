namespace IronAspire.Analytics.Retention;

/// <summary>
/// The UTC midnight before which raw events are deleted: today minus RetentionDays, in whole days. Queries read whole days
/// before it from the daily aggregates and raw rows from it on, so both sides agree whether or not the job has run yet.
/// </summary>
public static class RetentionHorizon
{
    public static DateTimeOffset For(DateTimeOffset now, int retentionDays) =>
        new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero).AddDays(-retentionDays);
}
