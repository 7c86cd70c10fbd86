using System.Buffers;
using System.Text.Json;
using IronAspire.Pii.Policies;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Microsoft.AspNetCore.Builder;

/// <summary>
/// The default PII policy and per-agent overrides, stored in Redis where the Router's cache reads them
/// (changes reach every Router within a second). The ETag header carries the policy version. Reading is open;
/// changing needs the admin key.
/// </summary>
public static class PoliciesApi
{
    private static readonly SearchValues<char> AgentIdChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.:");

    public static IEndpointRouteBuilder MapPoliciesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/policies").WithTags("Policies");
        group.MapGet("/default", GetDefault).WithName("policies.default.get")
            .WithSummary("The default policy (the built-in one until a default is stored)");
        group.MapPut("/default", PutDefault).WithName("policies.default.put").Accepts<PiiPolicy>("application/json")
            .WithSummary("Replace the default policy (admin key)").AddEndpointFilter<AdminKeyFilter>();
        group.MapGet("/{agentId}", GetAgent).WithName("policies.agent.get")
            .WithSummary("An agent's override (entries laid over the default)");
        group.MapGet("/{agentId}/effective", GetEffective).WithName("policies.agent.effective")
            .WithSummary("What applies to an agent: the default with its override laid over it");
        group.MapPut("/{agentId}", PutAgent).WithName("policies.agent.put").Accepts<PiiPolicy>("application/json")
            .WithSummary("Set an agent's override (admin key)").AddEndpointFilter<AdminKeyFilter>();
        group.MapDelete("/{agentId}", DeleteAgent).WithName("policies.agent.delete")
            .WithSummary("Remove an agent's override: the default applies again (admin key)").AddEndpointFilter<AdminKeyFilter>();
        return app;
    }

    private static async Task<Ok<PiiPolicy>> GetDefault(PiiPolicyStore store, HttpResponse response)
    {
        response.Headers.ETag = $"\"{await store.GetVersionAsync()}\"";
        return TypedResults.Ok(await store.GetDefaultAsync() ?? PiiPolicy.BuiltInDefault);
    }

    private static async Task<Results<Ok<PiiPolicy>, ProblemHttpResult, ValidationProblem>> PutDefault(HttpRequest request, PiiPolicyStore store, HttpResponse response)
    {
        var (policy, malformed) = await ReadPolicyAsync(request);
        if (policy is null)
        {
            return malformed!;
        }

        var errors = policy.Validate();
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "Invalid policy");
        }

        response.Headers.ETag = $"\"{await store.SetDefaultAsync(policy)}\"";
        return TypedResults.Ok(policy);
    }

    private static async Task<Results<Ok<PiiPolicy>, ProblemHttpResult>> GetAgent(string agentId, PiiPolicyStore store, HttpResponse response)
    {
        if (InvalidAgentId(agentId) is { } invalid)
        {
            return invalid;
        }

        response.Headers.ETag = $"\"{await store.GetVersionAsync()}\"";
        return await store.GetAgentAsync(agentId) is { } policy
            ? TypedResults.Ok(policy)
            : TypedResults.Problem(statusCode: 404, title: "No override", detail: $"Agent '{agentId}' has no policy of its own; the default applies.");
    }

    private static async Task<Results<Ok<PiiPolicy>, ProblemHttpResult>> GetEffective(string agentId, PiiPolicyStore store)
    {
        if (InvalidAgentId(agentId) is { } invalid)
        {
            return invalid;
        }

        var basePolicy = await store.GetDefaultAsync() ?? PiiPolicy.BuiltInDefault;
        var agent = await store.GetAgentAsync(agentId);
        return TypedResults.Ok(agent?.Over(basePolicy) ?? basePolicy);
    }

    private static async Task<Results<Ok<PiiPolicy>, ProblemHttpResult, ValidationProblem>> PutAgent(
        string agentId, HttpRequest request, PiiPolicyStore store, HttpResponse response)
    {
        if (InvalidAgentId(agentId) is { } invalid)
        {
            return invalid;
        }

        var (policy, malformed) = await ReadPolicyAsync(request);
        if (policy is null)
        {
            return malformed!;
        }

        // An override may act on custom types the default defines.
        var basePolicy = await store.GetDefaultAsync() ?? PiiPolicy.BuiltInDefault;
        var errors = policy.Validate(basePolicy.CustomTypes.Select(c => c.Name));
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "Invalid policy");
        }

        response.Headers.ETag = $"\"{await store.SetAgentAsync(agentId, policy)}\"";
        return TypedResults.Ok(policy);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAgent(string agentId, PiiPolicyStore store)
    {
        if (InvalidAgentId(agentId) is { } invalid)
        {
            return invalid;
        }

        return await store.DeleteAgentAsync(agentId)
            ? TypedResults.NoContent()
            : TypedResults.Problem(statusCode: 404, title: "No override", detail: $"Agent '{agentId}' has no policy of its own.");
    }

    /// <summary>
    /// Reads a policy with the policy serializer (strict: unknown fields, actions, styles or checksum kinds are refused),
    /// turning what is wrong into a 400 that says so.
    /// </summary>
    private static async Task<(PiiPolicy? Policy, ProblemHttpResult? Problem)> ReadPolicyAsync(HttpRequest request)
    {
        if (!request.HasJsonContentType())
        {
            return (null, TypedResults.Problem(statusCode: 415, title: "Expected JSON", detail: "Send the policy as application/json."));
        }

        try
        {
            var policy = await JsonSerializer.DeserializeAsync<PiiPolicy>(request.Body, PiiPolicy.Json, request.HttpContext.RequestAborted);
            return policy is null
                ? (null, TypedResults.Problem(statusCode: 400, title: "Invalid policy", detail: "The body is null."))
                : (policy, null);
        }
        catch (JsonException e)
        {
            return (null, TypedResults.Problem(statusCode: 400, title: "Invalid policy", detail: e.Message));
        }
    }

    private static ProblemHttpResult? InvalidAgentId(string agentId) =>
        agentId.Length is 0 or > 128 || agentId.AsSpan().IndexOfAnyExcept(AgentIdChars) >= 0
            ? TypedResults.Problem(statusCode: 400, title: "Invalid agent id", detail: "Agent ids are 1-128 chars of letters, digits, '-', '_', '.' and ':'.")
            : null;
}
