using System.Net;
using System.Text.Json.Nodes;
using IronAspire.Contracts.Agents;
using IronAspire.Contracts.Budget;
using IronAspire.Contracts.Events;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace IronAspire.AgentSupervisor.Tests;

/// <summary>
/// A tiny OpenAI-compatible endpoint standing in for the Router: it looks the agent key up in Redis exactly as the
/// Router does (<see cref="AgentKeyFormat"/>), reserves and commits at the real Budget service, answers 402
/// budget_exceeded when refused, and publishes the Contracts events the Router and the Budget service publish (each
/// call in a CallEventBatch; BudgetExhausted on a refusal).
/// </summary>
public sealed class FakeRouter : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeRouter(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = "";

    public int Calls;

    public static async Task<FakeRouter> StartAsync(IConnectionMultiplexer redis, BudgetClient budget, TestBus bus)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var router = new FakeRouter(app);
        app.MapPost("/v1/chat/completions", async (HttpContext context) =>
        {
            var header = context.Request.Headers.Authorization.ToString();
            var key = header.StartsWith("Bearer ", StringComparison.Ordinal) ? header[7..] : "";
            var identity = await redis.GetDatabase().HashGetAllAsync(AgentKeyFormat.RedisKey(key));
            var agentId = identity.FirstOrDefault(e => e.Name == AgentKeyFormat.AgentIdField).Value;
            if (agentId.IsNullOrEmpty)
            {
                return Results.Json(Error("Unknown API key.", "invalid_api_key"), statusCode: 401);
            }

            var body = (await JsonNode.ParseAsync(context.Request.Body))!;
            var model = (string)body["model"]!;
            var maxTokens = (long?)body["max_tokens"] ?? 64;
            var started = DateTime.UtcNow;
            Interlocked.Increment(ref router.Calls);
            var reservation = await budget.ReserveAsync(new ReservationRequest(agentId!, null, model, 50, maxTokens));
            if (reservation is BudgetReserveResult.Refused refused)
            {
                await bus.PublishAsync(new BudgetExhausted(Guid.NewGuid(), BudgetScope.Agent, agentId!, refused.SpentUsd, refused.LimitUsd,
                    "lifetime", DateTimeOffset.UtcNow));
                return Results.Json(Error(refused.Message, "budget_exceeded"), statusCode: (int)HttpStatusCode.PaymentRequired);
            }

            var reserved = Assert.IsType<BudgetReserveResult.Reserved>(reservation);
            var settled = await budget.CommitAsync(reserved.Reservation.ReservationId, new CommitRequest(20, 30));
            var requestId = Guid.NewGuid().ToString("N");
            // As the Router publishes calls: in a batch (here of one call).
            var completed = new LlmRequestCompleted(Guid.NewGuid(), requestId, agentId!, null, "mock", model, 20, 0, 30,
                settled.Result!.CostUsd, (DateTime.UtcNow - started).TotalMilliseconds, null, false, 200, DateTimeOffset.UtcNow);
            await bus.PublishAsync(new CallEventBatch(Guid.NewGuid(), [new CallEvents(completed, null, [])], DateTimeOffset.UtcNow));
            return Results.Json(new
            {
                id = "chatcmpl-" + requestId,
                @object = "chat.completion",
                model,
                choices = new[] { new { index = 0, message = new { role = "assistant", content = "governed hello" }, finish_reason = "stop" } },
                usage = new { prompt_tokens = 20, completion_tokens = 30, total_tokens = 50 },
            });
        });
        await app.StartAsync();
        router.BaseUrl = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return router;
    }

    private static object Error(string message, string code) => new { error = new { message, type = code, code } };

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
