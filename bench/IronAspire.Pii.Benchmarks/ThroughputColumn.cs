using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace IronAspire.Pii.Benchmarks;

/// <summary>MB/s (10^6 bytes; the texts are ASCII, so chars = UTF-8 bytes) from the median time per operation.</summary>
public sealed class ThroughputColumn(int bytes) : IColumn
{
    public string Id => "Throughput";
    public string ColumnName => "MB/s (median)";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => "Megabytes of text per second, from the median";
    public bool IsAvailable(Summary summary) => true;
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var report = summary[benchmarkCase];
        if (report?.ResultStatistics is not { } stats)
        {
            return "-";
        }

        return (bytes / stats.Median * 1e9 / 1e6).ToString("N0");
    }
}
