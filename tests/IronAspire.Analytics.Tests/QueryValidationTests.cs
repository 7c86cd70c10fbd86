using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc;

namespace IronAspire.Analytics.Tests;

public sealed class QueryValidationTests(QueryValidationTests.Service service) : IClassFixture<QueryValidationTests.Service>
{
    public sealed class Service : IAsyncLifetime
    {
        public AnalyticsServiceFactory Analytics { get; private set; } = null!;

        public async Task InitializeAsync() => Analytics = (await AnalyticsServiceFactory.CreateAsync("analyticsvalidation")).Started();

        public async Task DisposeAsync() => await Analytics.DisposeAsync();
    }

    [Theory]
    [InlineData("/v1/analytics/summary?from=yesterday", "from")]
    [InlineData("/v1/analytics/summary?to=2026-13-45", "to")]
    [InlineData("/v1/analytics/summary?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", "from")]
    [InlineData("/v1/analytics/agents?limit=0", "limit")]
    [InlineData("/v1/analytics/models?limit=abc", "limit")]
    [InlineData("/v1/analytics/summary?agentId=", "agentId")]
    [InlineData("/v1/analytics/timeseries?bucket=week", "bucket")]
    [InlineData("/v1/analytics/timeseries?bucket=minute&from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", "from")]
    [InlineData("/v1/analytics/events?type=Nope", "type")]
    [InlineData("/v1/analytics/events?subject=", "subject")]
    [InlineData("/v1/analytics/calls?status=maybe", "status")]
    [InlineData("/v1/analytics/calls?cursor=not-a-cursor", "cursor")]
    [InlineData("/v1/analytics/calls?limit=1001", "limit")]
    [InlineData("/v1/analytics/calls?errorType=", "errorType")]
    [InlineData("/v1/analytics/calls?agentId=", "agentId")]
    [InlineData("/v1/analytics/calls/not-a-guid", "eventId")]
    [InlineData("/v1/analytics/timeseries/breakdown?by=colour", "by")]
    [InlineData("/v1/analytics/timeseries/breakdown?bucket=week", "bucket")]
    [InlineData("/v1/analytics/failures?from=soon", "from")]
    // Issue 13: these were 500s (a NUL reaching PostgreSQL, DateTimeOffset overflowing at either end).
    [InlineData("/v1/analytics/summary?agentId=%00", "agentId")]
    [InlineData("/v1/analytics/agents?model=gpt%07", "model")]
    [InlineData("/v1/analytics/summary?to=9999-12-31T23:59:59.9999999Z", "to")]
    [InlineData("/v1/analytics/timeseries?bucket=minute&to=0001-01-01T00:30:00Z", "to")]
    [InlineData("/v1/analytics/timeseries?bucket=hour&to=9999-12-31T23:59:59.9999999Z", "to")]
    public async Task Malformed_query_parameters_get_a_400_naming_the_parameter(string url, string parameter)
    {
        var response = await service.Analytics.CreateClient().GetAsync(url);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<ValidationProblemDetails>();
        Assert.Contains(parameter, problem!.Errors.Keys);
        Assert.False(string.IsNullOrWhiteSpace(problem.Errors[parameter][0]));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("ia_some-agent-key")]
    public async Task Without_the_admin_key_usage_is_not_readable(string? key)
    {
        using var client = service.Analytics.CreateClient();
        client.DefaultRequestHeaders.Authorization = key is null ? null : new("Bearer", key);

        foreach (var url in new[] { "/v1/analytics/summary", "/v1/analytics/agents", "/v1/analytics/events", "/openapi/v1.json" })
        {
            using var response = await client.GetAsync(url);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        using var alive = await client.GetAsync("/alive");
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
    }

    [Fact]
    public async Task The_openapi_document_lists_the_query_api()
    {
        var document = await service.Analytics.CreateClient().GetStringAsync("/openapi/v1.json");
        Assert.Contains("/v1/analytics/summary", document, StringComparison.Ordinal);
        Assert.Contains("/v1/analytics/timeseries", document, StringComparison.Ordinal);
        Assert.Contains("/v1/analytics/calls", document, StringComparison.Ordinal);
        Assert.Contains("/v1/analytics/timeseries/breakdown", document, StringComparison.Ordinal);
        Assert.Contains("/v1/analytics/calls/{eventId}", document, StringComparison.Ordinal);
        Assert.Contains("/v1/analytics/failures", document, StringComparison.Ordinal);
    }
}
