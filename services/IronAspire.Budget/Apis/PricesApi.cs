using IronAspire.Budget.Pricing;

namespace Microsoft.AspNetCore.Builder;

public static class PricesApi
{
    public static IEndpointRouteBuilder MapPricesApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/prices", (PriceTable prices) => TypedResults.Ok(prices.All.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p =>
            new ModelPriceInfo(p.Key, p.Value.Input, p.Value.CachedInput, p.Value.CacheWriteInput, p.Value.Output))))
        .WithName("prices.list").WithTags("Prices").WithSummary("The price table: USD per million tokens per model");
        return app;
    }
}
