using System.Text.Json.Serialization;

namespace IronAspire.AgentSupervisor.Alerts;

/// <summary>
/// Notices for the operator that stay until acknowledged: budget thresholds (50/80/100 %), exhausted budgets, open
/// circuits and crashed agents. A repeat of an open notice (same kind, subject and threshold) counts on it instead of
/// adding another. Kept in memory (the last <see cref="Capacity"/>); the durable record of the underlying events is
/// Analytics' governance events.
/// </summary>
public sealed class AlertBook(LiveFeed feed, TimeProvider time)
{
    public const int Capacity = 500;

    private readonly Lock _gate = new();
    private readonly List<Alert> _alerts = [];
    private long _sequence;

    /// <summary>
    /// Raises a notice, or counts a repeat on the open one. <paramref name="occurredAt"/> is when it happened (the
    /// event's own timestamp; now when omitted): events can be consumed out of order, so a repeat's detail replaces
    /// the notice's only when it is newer, and FirstAt/LastAt span the occurrences whatever order they came in.
    /// </summary>
    public Alert Raise(AlertKind kind, string subject, string key, string title, string detail, DateTimeOffset? occurredAt = null)
    {
        Alert alert;
        lock (_gate)
        {
            var at = occurredAt ?? time.GetUtcNow();
            var index = _alerts.FindIndex(a => a.AcknowledgedAt is null && a.Kind == kind && a.Subject == subject && a.Key == key);
            if (index >= 0)
            {
                var open = _alerts[index];
                alert = _alerts[index] = at >= open.LastAt
                    ? open with { Title = title, Detail = detail, LastAt = at, Count = open.Count + 1 }
                    : open with { FirstAt = at < open.FirstAt ? at : open.FirstAt, Count = open.Count + 1 };
            }
            else
            {
                alert = new Alert($"alr-{++_sequence}", kind, Severity(kind, key), subject, key, title, detail, at, at, 1, null);
                _alerts.Add(alert);
                Trim();
            }
        }

        feed.Publish(new LiveEvent("alert.raised", alert));
        return alert;
    }

    /// <summary>Null when there is no such alert; acknowledging twice keeps the first acknowledgement.</summary>
    public Alert? Acknowledge(string id)
    {
        Alert alert;
        lock (_gate)
        {
            var index = _alerts.FindIndex(a => a.Id == id);
            if (index < 0)
            {
                return null;
            }

            if (_alerts[index].AcknowledgedAt is not null)
            {
                return _alerts[index];
            }

            alert = _alerts[index] = _alerts[index] with { AcknowledgedAt = time.GetUtcNow() };
        }

        feed.Publish(new LiveEvent("alert.acknowledged", alert));
        return alert;
    }

    /// <summary>Newest first; only the unacknowledged ones unless <paramref name="includeAcknowledged"/>.</summary>
    public IReadOnlyList<Alert> List(bool includeAcknowledged)
    {
        lock (_gate)
        {
            return _alerts.Where(a => includeAcknowledged || a.AcknowledgedAt is null).OrderByDescending(a => a.LastAt).ToArray();
        }
    }

    private static AlertSeverity Severity(AlertKind kind, string key) =>
        kind == AlertKind.BudgetThreshold && key != "100" ? AlertSeverity.Warning : AlertSeverity.Critical;

    private void Trim()
    {
        while (_alerts.Count > Capacity)
        {
            // The oldest acknowledged notice goes first; an open one only when every kept notice is open.
            var index = _alerts.FindIndex(a => a.AcknowledgedAt is not null);
            _alerts.RemoveAt(index >= 0 ? index : 0);
        }
    }
}

[JsonConverter(typeof(JsonStringEnumConverter<AlertKind>))]
public enum AlertKind
{
    BudgetThreshold,
    BudgetExhausted,
    CircuitOpen,
    AgentCrashed,
}

[JsonConverter(typeof(JsonStringEnumConverter<AlertSeverity>))]
public enum AlertSeverity
{
    Warning,
    Critical,
}

/// <summary>
/// One notice. <see cref="Subject"/> is the agent id (agent budgets, crashes), the project id (project budgets) or the
/// provider (circuits); <see cref="Key"/> tells repeats apart (the threshold percent, else empty).
/// </summary>
public sealed record Alert(
    string Id,
    AlertKind Kind,
    AlertSeverity Severity,
    string Subject,
    string Key,
    string Title,
    string Detail,
    DateTimeOffset FirstAt,
    DateTimeOffset LastAt,
    int Count,
    DateTimeOffset? AcknowledgedAt);
