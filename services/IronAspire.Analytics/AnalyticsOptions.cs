using System.ComponentModel.DataAnnotations;

namespace IronAspire.Analytics;

/// <summary>The "Analytics" configuration section.</summary>
public sealed class AnalyticsOptions
{
    public const string SectionName = "Analytics";

    /// <summary>Raw events older than this many whole UTC days are deleted; daily aggregates are kept for ever.</summary>
    [Range(1, 36_500)]
    public int RetentionDays { get; set; } = 30;

    /// <summary>How often the retention job runs.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan RetentionInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Most messages one batch insert takes.</summary>
    [Range(1, 5_000)]
    public int BatchMessageLimit { get; set; } = 500;

    /// <summary>Most Router call batches (<c>CallEventBatch</c>, each up to Router:Events:BatchSize calls) one write takes.</summary>
    [Range(1, 5_000)]
    public int CallBatchMessageLimit { get; set; } = 20;

    /// <summary>How long a batch waits to fill up before it is written anyway.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:01:00")]
    public TimeSpan BatchTimeLimit { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Batches written at once per event type.</summary>
    [Range(1, 64)]
    public int BatchConcurrency { get; set; } = 2;
}
