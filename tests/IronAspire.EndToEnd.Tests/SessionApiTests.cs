using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace IronAspire.EndToEnd.Tests;

/// <summary>
/// What the Python SDK's session is made of, on the whole app: an external agent from the Supervisor, calls through the
/// Router with its key, those calls read back through the Supervisor from Analytics, and the key revoked (the Router
/// refuses it once its key cache expires).
/// </summary>
[Collection(IronAspireAppCollection.Name)]
public class SessionApiTests(IronAspireAppFixture fixture)
{
    [Fact]
    public async Task An_external_agents_calls_are_listed_by_the_supervisor_and_its_revoked_key_is_refused()
    {
        using var supervisor = fixture.App.CreateHttpClient("agent-supervisor");
        supervisor.DefaultRequestHeaders.Authorization = new("Bearer", fixture.AdminKey);

        var router = (await supervisor.GetFromJsonAsync<JsonObject>("/v1/router"))!;
        Assert.Equal(fixture.RouterUrl.ToString().TrimEnd('/'), router["routerBaseUrl"]!.GetValue<string>());

        using var created = await supervisor.PostAsJsonAsync("/v1/agents", new { name = "e2e-session", budgetUsd = 1m });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var agent = (await created.Content.ReadFromJsonAsync<JsonObject>())!;
        var id = agent["id"]!.GetValue<string>();
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", agent["apiKey"]!.GetValue<string>());
        var chat = agent["openAIBaseUrl"]!.GetValue<string>() + "/chat/completions";
        var body = new { model = "gpt-4o-mini", max_tokens = 16, messages = new[] { new { role = "user", content = "hi" } } };
        for (var i = 0; i < 2; i++)
        {
            using var call = await http.PostAsJsonAsync(chat, body);
            Assert.Equal(HttpStatusCode.OK, call.StatusCode);
        }

        JsonArray calls = [];
        for (var i = 0; i < 150 && calls.Count < 2; i++)
        {
            calls = (await supervisor.GetFromJsonAsync<JsonObject>($"/v1/agents/{id}/calls"))!["calls"]!.AsArray();
            await Task.Delay(200);
        }

        Assert.Equal(2, calls.Count);
        Assert.All(calls, c => Assert.Equal("gpt-4o-mini", c!["model"]!.GetValue<string>()));
        var spent = (await fixture.WaitSettledAsync($"/v1/budgets/{id}"))["spentUsd"]!.GetValue<decimal>();
        Assert.True(spent > 0);
        Assert.Equal(spent, calls.Sum(c => c!["costUsd"]!.GetValue<decimal>()));

        using (var revoke = await supervisor.PostAsync($"/v1/agents/{id}/revoke", null))
        {
            Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        }

        var status = HttpStatusCode.OK;
        for (var i = 0; i < 50 && status != HttpStatusCode.Unauthorized; i++)
        {
            using var call = await http.PostAsJsonAsync(chat, body);
            status = call.StatusCode;
            await Task.Delay(200);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, status);
    }
}
