using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace IronAspire.Analytics.Queries;

/// <summary>Filters of the call log beyond <see cref="AnalyticsFilter"/>: completed or failed, and the error code.</summary>
public sealed record CallFilter(bool? Failed, string? ErrorType);

/// <summary>Group of a timeseries breakdown.</summary>
public enum BreakdownKey
{
    Model,
    Agent,
    Provider,
    ErrorType,
}

/// <summary>
/// Where a page of the call log ends: the last call's time and event id (the log is ordered by both, so paging is stable
/// while new calls arrive). Opaque to clients: base64url of "ticks:guid".
/// </summary>
public sealed record CallCursor(DateTimeOffset Timestamp, Guid EventId)
{
    public override string ToString() =>
        Base64Url.EncodeToString(Encoding.ASCII.GetBytes($"{Timestamp.UtcTicks.ToString(CultureInfo.InvariantCulture)}:{EventId:N}"));

    public static CallCursor? Parse(string value)
    {
        try
        {
            var parts = Encoding.ASCII.GetString(Base64Url.DecodeFromChars(value)).Split(':');
            return parts.Length == 2
                && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
                && ticks <= DateTimeOffset.MaxValue.UtcTicks
                && Guid.TryParseExact(parts[1], "N", out var id)
                ? new CallCursor(new DateTimeOffset(ticks, TimeSpan.Zero), id)
                : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
