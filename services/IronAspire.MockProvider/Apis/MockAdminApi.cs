using IronAspire.MockProvider.Simulation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Test control: faults to inject (<c>/admin/faults</c>) and what reached the simulator (<c>/admin/stats</c>).</summary>
public static class MockAdminApi
{
    public static IEndpointRouteBuilder MapMockAdminApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/admin").WithTags("Admin");
        admin.MapGet("/faults", (FaultState faults) => TypedResults.Ok(faults.Current ?? new FaultSettings()))
            .WithName("faults.get")
            .WithSummary("The faults in force (all fields null when none)");
        admin.MapPut("/faults", SetFaults)
            .WithName("faults.set")
            .WithSummary("Replace the faults injected into provider requests");
        admin.MapDelete("/faults", (FaultState faults) =>
        {
            faults.Set(null);
            return TypedResults.NoContent();
        }).WithName("faults.clear").WithSummary("Stop injecting faults");
        admin.MapGet("/stats", (MockStats stats) => TypedResults.Ok(stats.Snapshot()))
            .WithName("stats.get")
            .WithSummary("Requests received per endpoint and model, and the last request's key and body");
        admin.MapDelete("/stats", (MockStats stats) =>
        {
            stats.Reset();
            return TypedResults.NoContent();
        }).WithName("stats.clear").WithSummary("Reset the counters");
        return app;
    }

    private static Results<Ok<FaultSettings>, ValidationProblem> SetFaults(FaultSettings settings, FaultState faults)
    {
        var errors = new Dictionary<string, string[]>();
        if (settings.Status is < 100 or > 599)
        {
            errors["status"] = ["status must be an HTTP status code (100-599)."];
        }

        if (settings.ErrorRate is < 0 or > 1)
        {
            errors["errorRate"] = ["errorRate must be between 0 and 1."];
        }

        if (!FaultSettings.IsKnownMode(settings.Mode))
        {
            errors["mode"] = [$"mode must be {FaultSettings.Timeout}, {FaultSettings.Drop}, {FaultSettings.DropMidStream} or null."];
        }

        if (settings.LatencyMs is < 0 || settings.ChunkDelayMs is < 0 || settings.RetryAfterSeconds is < 0)
        {
            errors["latencyMs"] = ["latencyMs, chunkDelayMs and retryAfterSeconds must not be negative."];
        }

        if (settings.RemainingCount is < 1)
        {
            errors["remainingCount"] = ["remainingCount must be at least 1 (omit it to fault every request)."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        faults.Set(settings);
        return TypedResults.Ok(settings);
    }
}
