extern alias analyticsservice;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IronAspire.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace IronAspire.Router.Tests;

/// <summary>The real Analytics service in-process, on the shared PostgreSQL and RabbitMQ, with its own database and queues.</summary>
public static class AnalyticsServiceHost
{
    /// <summary>Started, with its queues bound (an event published before that would be dropped by RabbitMQ).</summary>
    public static async Task<WebApplicationFactory<analyticsservice::Program>> StartAsync(string name, string adminKey)
    {
        var analyticsDb = await BackingServers.PostgresDatabaseAsync(name + "_analytics");
        var messaging = await BackingServers.RabbitMqAsync();
        var analytics = new WebApplicationFactory<analyticsservice::Program>().WithWebHostBuilder(web =>
        {
            web.UseSetting("ConnectionStrings:analyticsdb", analyticsDb);
            web.UseSetting("ConnectionStrings:messaging", messaging);
            web.UseSetting("EventBus:QueuePrefix", name);
            web.UseSetting("Analytics:BatchTimeLimit", "00:00:00.050");
            web.UseSetting("IRONASPIRE_ADMIN_KEY", adminKey);
        });
        var bus = analytics.Services.GetRequiredService<MassTransit.IBusControl>();
        for (var i = 0; i < 600 && bus.CheckHealth().Status != MassTransit.BusHealthStatus.Healthy; i++)
        {
            await Task.Delay(100);
        }

        return analytics;
    }

    /// <summary>The agent's usage summary once it counts <paramref name="requests"/> calls (or after a minute, as it is then).</summary>
    public static async Task<JsonObject> SummaryAsync(this WebApplicationFactory<analyticsservice::Program> analytics, string adminKey, string agentId, long requests)
    {
        using var client = analytics.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", adminKey);
        JsonObject summary = null!;
        for (var i = 0; i < 300; i++)
        {
            summary = (await client.GetFromJsonAsync<JsonObject>($"/v1/analytics/summary?agentId={Uri.EscapeDataString(agentId)}"))!;
            if (summary["requests"]!.GetValue<long>() >= requests)
            {
                break;
            }

            await Task.Delay(200);
        }

        return summary;
    }
}
