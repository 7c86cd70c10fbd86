using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using IronAspire.AgentSupervisor.Apis;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Microsoft.AspNetCore.Builder;

/// <summary>
/// GET /v1/agents/{id}/output: the agent's stdout and stderr as server-sent events (<c>event: line</c>, data
/// <c>{timestamp, stream, text}</c>): the last <c>tail</c> lines, then each new line as it is written.
/// </summary>
public static class AgentOutputApi
{
    public static IEndpointRouteBuilder MapAgentOutputApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/agents/{id}/output", Output).WithTags("Agents").WithName("agents.output").AddEndpointFilter<AdminKeyFilter>()
            .WithSummary("Follow the agent's stdout and stderr live (text/event-stream): the last lines, then every new one")
            .Produces<LogLine>(StatusCodes.Status200OK, "text/event-stream");
        return app;
    }

    private static async Task<Results<ServerSentEventsResult<LogLine>, ValidationProblem, ProblemHttpResult>> Output(string id, int? tail,
        SupervisorDbContext db, AgentRunner runner, AgentOutput output, IHostApplicationLifetime lifetime, HttpContext context)
    {
        if (tail is < 0 or > 10_000)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["tail"] = ["tail is between 0 and 10000."] });
        }

        var agent = await db.Agents.AsNoTracking().FirstOrDefaultAsync(a => a.Id == id, context.RequestAborted);
        if (agent is null)
        {
            return AgentsApi.NotFound(id);
        }

        // Follow before reading the tail, so no line falls between the two.
        var follower = output.Follow(id);
        var recent = tail == 0 ? [] : runner.Logs(agent, tail ?? 100);
        var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        context.Response.RegisterForDispose(stop);
        context.Response.RegisterForDispose(follower);
        return TypedResults.ServerSentEvents(Lines(recent, follower, stop.Token), "line");
    }

    private static async IAsyncEnumerable<LogLine> Lines(IReadOnlyList<LogLine> recent, AgentOutput.Follower follower,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var line in recent)
        {
            yield return line;
        }

        var last = recent.Count > 0 ? recent[^1].Timestamp : DateTimeOffset.MinValue;
        var reader = follower.Lines;
        while (true)
        {
            try
            {
                if (!await reader.WaitToReadAsync(cancellationToken))
                {
                    yield break;
                }
            }
            catch (OperationCanceledException)
            {
                yield break; // the client went away or the Supervisor is stopping
            }

            while (reader.TryRead(out var line))
            {
                // Written between following and reading the tail: already sent.
                if (line.Timestamp > last || !recent.Contains(line))
                {
                    yield return line;
                }
            }
        }
    }
}
