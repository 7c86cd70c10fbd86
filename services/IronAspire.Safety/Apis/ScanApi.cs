using IronAspire.Contracts.Events;
using IronAspire.Pii;
using IronAspire.Pii.Policies;
using IronAspire.Pii.Redaction;
using IronAspire.Safety;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Microsoft.AspNetCore.Builder;

public sealed record ScanRequest(string? Text, string[]? Types);

public sealed record ScanFinding(string Type, int Start, int End, double Score);

/// <summary>Findings (positions only, never values) and the text with every finding redacted in the default policy's styles.</summary>
public sealed record ScanResponse(IReadOnlyList<ScanFinding> Findings, string Redacted);

/// <summary>Ad-hoc scanning with the same engine the Router runs in-process.</summary>
public static class ScanApi
{
    public static IEndpointRouteBuilder MapScanApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/scan", Scan)
            .WithName("scan").WithTags("Scan")
            .WithSummary("Find PII in a text: built-in types and the default policy's custom types, or only the given types");
        return app;
    }

    private static async Task<Results<Ok<ScanResponse>, ProblemHttpResult>> Scan(
        ScanRequest request, PiiPolicyCache policies, PiiPseudonymizer pseudonymizer, IOptions<SafetyOptions> options)
    {
        if (request.Text is null)
        {
            return TypedResults.Problem(statusCode: 400, title: "Missing text", detail: "The body needs a 'text' string.");
        }

        if (request.Text.Length > options.Value.MaxScanChars)
        {
            return TypedResults.Problem(statusCode: 413, title: "Text too large",
                detail: $"The text has {request.Text.Length} chars; the limit is {options.Value.MaxScanChars}.");
        }

        var policy = (await policies.GetAsync(null)).Policy;
        var known = PiiEntityTypes.BuiltIn.Concat(policy.CustomTypes.Select(c => c.Name)).ToHashSet(StringComparer.Ordinal);
        var types = request.Types is { Length: > 0 } ? request.Types : [.. known];
        var unknown = types.Where(t => t is null || !known.Contains(t)).ToArray();
        if (unknown.Length > 0)
        {
            return TypedResults.Problem(statusCode: 400, title: "Unknown entity types",
                detail: $"Unknown types: {string.Join(", ", unknown)}. Known: {string.Join(", ", known.Order())}.");
        }

        var redactor = new PiiRedactor(PiiDirection.Request, types.Distinct().ToDictionary(t => t, _ => PiiAction.Redact),
            policy.Styles, policy.CustomTypes, pseudonymizer);
        var findings = new List<PiiFinding>();
        var redacted = redactor.Redact(request.Text, new PiiTally(), findings);
        return TypedResults.Ok(new ScanResponse(findings.Select(f => new ScanFinding(f.Type, f.Start, f.End, f.Score)).ToList(), redacted));
    }
}
