using System.Globalization;

namespace IronAspire.MockProvider.Simulation;

/// <summary>
/// The per-request <c>x-mock-*</c> headers: <c>x-mock-mode</c> (echo|normal), <c>x-mock-latency-ms</c>,
/// <c>x-mock-chunk-delay-ms</c>, <c>x-mock-chunk-size</c>, <c>x-mock-fault</c> (status:NNN|timeout|drop|drop-mid-stream),
/// <c>x-mock-error-rate</c> (0..1) and <c>x-mock-retry-after</c> (seconds).
/// </summary>
public readonly record struct RequestControls(
    bool? Echo,
    int? LatencyMs,
    int? ChunkDelayMs,
    int? ChunkSize,
    FaultSettings? Fault)
{
    public const string ModeHeader = "x-mock-mode";
    public const string LatencyHeader = "x-mock-latency-ms";
    public const string ChunkDelayHeader = "x-mock-chunk-delay-ms";
    public const string ChunkSizeHeader = "x-mock-chunk-size";
    public const string FaultHeader = "x-mock-fault";
    public const string ErrorRateHeader = "x-mock-error-rate";
    public const string RetryAfterHeader = "x-mock-retry-after";

    /// <summary>Reads the headers; returns an error message when one of them is not understood.</summary>
    public static string? TryRead(HttpRequest request, out RequestControls controls)
    {
        controls = default;
        var headers = request.Headers;
        bool? echo = null;
        var mode = headers[ModeHeader].ToString();
        if (mode.Length > 0)
        {
            if (!mode.Equals("echo", StringComparison.OrdinalIgnoreCase) && !mode.Equals("normal", StringComparison.OrdinalIgnoreCase))
            {
                return $"{ModeHeader} must be echo or normal, not '{mode}'.";
            }

            echo = mode.Equals("echo", StringComparison.OrdinalIgnoreCase);
        }

        if (Integer(headers, LatencyHeader, 0, out var latency) is { } e1)
        {
            return e1;
        }

        if (Integer(headers, ChunkDelayHeader, 0, out var chunkDelay) is { } e2)
        {
            return e2;
        }

        if (Integer(headers, ChunkSizeHeader, 1, out var chunkSize) is { } e3)
        {
            return e3;
        }

        if (Integer(headers, RetryAfterHeader, 0, out var retryAfter) is { } e4)
        {
            return e4;
        }

        double? rate = null;
        var rateText = headers[ErrorRateHeader].ToString();
        if (rateText.Length > 0)
        {
            if (!double.TryParse(rateText, NumberStyles.Float, CultureInfo.InvariantCulture, out var r) || r is < 0 or > 1)
            {
                return $"{ErrorRateHeader} must be a number between 0 and 1, not '{rateText}'.";
            }

            rate = r;
        }

        int? status = null;
        string? faultMode = null;
        var spec = headers[FaultHeader].ToString();
        if (spec.StartsWith("status:", StringComparison.OrdinalIgnoreCase))
        {
            if (!int.TryParse(spec.AsSpan(7), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) || s is < 100 or > 599)
            {
                return $"{FaultHeader} status must be an HTTP status code (100-599), not '{spec}'.";
            }

            status = s;
        }
        else if (spec.Length > 0)
        {
            faultMode = spec.ToLowerInvariant();
            if (!FaultSettings.IsKnownMode(faultMode))
            {
                return $"{FaultHeader} must be status:<code>, {FaultSettings.Timeout}, {FaultSettings.Drop} or {FaultSettings.DropMidStream}, not '{spec}'.";
            }
        }

        var fault = status is null && faultMode is null && rate is null
            ? null
            : new FaultSettings(Status: status, ErrorRate: rate, Mode: faultMode, RetryAfterSeconds: retryAfter);
        controls = new RequestControls(echo, latency, chunkDelay, chunkSize, fault);
        return null;
    }

    private static string? Integer(IHeaderDictionary headers, string name, int min, out int? value)
    {
        value = null;
        var text = headers[name].ToString();
        if (text.Length == 0)
        {
            return null;
        }

        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) || v < min)
        {
            return $"{name} must be an integer >= {min}, not '{text}'.";
        }

        value = v;
        return null;
    }
}
