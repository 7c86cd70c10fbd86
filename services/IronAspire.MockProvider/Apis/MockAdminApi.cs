using IronAspire.MockProvider.Simulation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Test control: faults to inject and what reached the simulator.</summary>
public static class MockAdminApi
{
    private static readonly string[] Modes = ["timeout", "drop", "drop-mid-stream"];

    public static IEndpointRouteBuilder MapMockAdminApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/admin").WithTags("Admin");
        admin.MapGet("/faults", (FaultState faults) => TypedResults.Ok(faults.Current)).WithName("faults.get");
        admin.MapPut("/faults", SetFaults).WithName("faults.set");
        admin.MapDelete("/faults", (FaultState faults) =>
        {
            faults.Set(null);
            return TypedResults.NoContent();
        }).WithName("faults.clear");
        admin.MapGet("/stats", (MockStats stats) => TypedResults.Ok(stats.Snapshot())).WithName("stats.get");
        admin.MapDelete("/stats", (MockStats stats) =>
        {
            stats.Reset();
            return TypedResults.NoContent();
        }).WithName("stats.clear");
        return app;
    }

    private static Results<Ok<FaultSettings>, ProblemHttpResult> SetFaults(FaultSettings settings, FaultState faults)
    {
        if (settings.Status is < 100 or > 599)
        {
            return TypedResults.Problem(statusCode: 400, detail: "status must be an HTTP status code (100-599).");
        }

        if (settings.ErrorRate is < 0 or > 1)
        {
            return TypedResults.Problem(statusCode: 400, detail: "errorRate must be between 0 and 1.");
        }

        if (settings.Mode is not null && !Modes.Contains(settings.Mode))
        {
            return TypedResults.Problem(statusCode: 400, detail: "mode must be timeout, drop or drop-mid-stream.");
        }

        faults.Set(settings);
        return TypedResults.Ok(settings);
    }
}
