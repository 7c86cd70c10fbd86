using System.Diagnostics;
using System.Net.Http.Json;
using IronAspire.Testing;
using IronAspire.Pii;
using IronAspire.Pii.Policies;
using Microsoft.Extensions.DependencyInjection;

namespace IronAspire.Safety.Tests;

/// <summary>Stops the shared Redis, so it runs alone, after the parallel tests.</summary>
[CollectionDefinition(nameof(RedisOutageTests), DisableParallelization = true)]
public sealed class RedisOutageCollection;

[Collection(nameof(RedisOutageTests))]
public sealed class RedisOutageTests(SafetyHost host) : IClassFixture<SafetyHost>
{
    [Fact]
    public async Task Cached_policies_keep_applying_without_waiting_while_redis_is_down_and_changes_flow_again_after()
    {
        var agent = "agent-" + Guid.NewGuid().ToString("N");
        var cache = host.Services.GetRequiredService<PiiPolicyCache>();
        (await host.Client.PutAsJsonAsync($"/v1/policies/{agent}", new { request = new Dictionary<string, string> { ["EMAIL_ADDRESS"] = "block" } })).EnsureSuccessStatusCode();
        await WaitFor(async () => (await cache.GetAsync(agent)).Request.ActionFor(PiiEntityTypes.EmailAddress) == PiiAction.Block, TimeSpan.FromSeconds(1));

        await BackingServers.StopRedisAsync();
        try
        {
            // Well past several refresh intervals: every lookup is answered from memory, at once, with the last policy.
            var watch = Stopwatch.StartNew();
            while (watch.Elapsed < TimeSpan.FromSeconds(1.5))
            {
                var lookup = cache.GetAsync(agent);
                Assert.True(lookup.IsCompletedSuccessfully);
                Assert.Equal(PiiAction.Block, (await lookup).Request.ActionFor(PiiEntityTypes.EmailAddress));
                await Task.Delay(50);
            }

            // An agent never seen before gets the default rather than an error.
            var stranger = await cache.GetAsync("agent-" + Guid.NewGuid().ToString("N"));
            Assert.Equal(PiiAction.Redact, stranger.Request.ActionFor(PiiEntityTypes.Secret));
        }
        finally
        {
            await BackingServers.StartRedisAsync();
        }

        // After the outage the connection and the subscription come back by themselves.
        await WaitFor(async () => (await host.Client.DeleteAsync($"/v1/policies/{agent}")).IsSuccessStatusCode, TimeSpan.FromSeconds(20));
        await WaitFor(async () => (await cache.GetAsync(agent)).Request.ActionFor(PiiEntityTypes.EmailAddress) == PiiAction.Audit, TimeSpan.FromSeconds(5));
    }

    private static async Task WaitFor(Func<Task<bool>> condition, TimeSpan limit)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (Exception) when (watch.Elapsed < limit)
            {
                // Redis still reconnecting.
            }

            Assert.True(watch.Elapsed < limit, $"not within {limit}");
            await Task.Delay(20);
        }
    }
}
