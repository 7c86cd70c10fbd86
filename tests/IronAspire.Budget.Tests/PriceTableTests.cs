using IronAspire.Budget.Pricing;
using Microsoft.Extensions.Options;

namespace IronAspire.Budget.Tests;

/// <summary>The price table and cost arithmetic (no servers needed).</summary>
public class PriceTableTests
{
    private static PriceTable Table(Action<BudgetOptions>? configure = null)
    {
        var options = new BudgetOptions();
        configure?.Invoke(options);
        return new PriceTable(Options.Create(options));
    }

    [Theory]
    [InlineData("gpt-4o-2024-08-06", 2.50, 10.00)]
    [InlineData("gpt-4o-2024-05-13", 5.00, 15.00)]
    [InlineData("gpt-4o-mini-2024-07-18", 0.15, 0.60)]
    [InlineData("claude-sonnet-4-5-20250929", 3.00, 15.00)]
    [InlineData("claude-opus-4-1-20250805", 15.00, 75.00)]
    [InlineData("claude-3-5-haiku-latest", 0.80, 4.00)]
    [InlineData("o3-mini-2025-01-31", 1.10, 4.40)]
    [InlineData("GPT-4.1-NANO", 0.10, 0.40)]
    public void Models_are_found_by_id_then_by_their_dated_snapshot_family(string model, double input, double output)
    {
        var price = Table().Find(model)!;

        Assert.Equal((decimal)input, price.Input);
        Assert.Equal((decimal)output, price.Output);
    }

    [Fact]
    public void An_unknown_model_has_no_price_unless_a_default_is_configured_and_configuration_overrides_the_file()
    {
        Assert.Null(Table().Find("gpt-4ox"));
        Assert.Null(Table().Find("my-local-llama"));

        var table = Table(o =>
        {
            o.DefaultPrice = new PriceSetting { Input = 1, Output = 2 };
            o.Prices["gpt-4o"] = new PriceSetting { Input = 3, CachedInput = 1, Output = 12 };
        });

        Assert.Equal(new ModelPrice(1, 1, 1, 2), table.Find("my-local-llama"));
        Assert.Equal(new ModelPrice(3, 1, 3, 12), table.Find("gpt-4o-2024-11-20"));
    }

    [Fact]
    public void Costs_are_exact_nanos_rounded_up_with_cached_and_cache_write_prices()
    {
        var sonnet = Table().Find("claude-sonnet-4-5")!;

        // 1000 plain × 3 + 2000 cache reads × 0.30 + 500 cache writes × 3.75 + 300 out × 15 = 9,975 micro-USD.
        Assert.Equal(9_975_000, sonnet.CostNanos(3500, 2000, 500, 300));
        // One gpt-5-nano input token: 0.05 micro-USD = 50 nano-USD; a third of a nano rounds up.
        Assert.Equal(50, Table().Find("gpt-5-nano")!.CostNanos(1, 0, 0, 0));
        Assert.Equal(1, new ModelPrice(0.0001m, 0, 0, 0).CostNanos(3, 0, 0, 0));
    }

    [Fact]
    public void The_upper_bound_covers_any_usage_within_it_including_cache_writes_and_long_context()
    {
        var sonnet = Table().Find("claude-sonnet-4")!;

        // The bound prices every input token as a cache write (3.75 > 3.00).
        Assert.Equal(1000 * 3_750 + 100 * 15_000, sonnet.UpperBoundNanos(1000, 100));
        Assert.True(sonnet.CostNanos(1000, 0, 1000, 100) <= sonnet.UpperBoundNanos(1000, 100));
        // Beyond 200K input tokens the whole call is priced at the long-context rates (6 / 22.50).
        Assert.Equal(250_000 * 6_000L + 1000 * 22_500, sonnet.CostNanos(250_000, 0, 0, 1000));
        Assert.Equal(250_000 * 7_500L + 1000 * 22_500, sonnet.UpperBoundNanos(250_000, 1000));
        foreach (var (input, cached, written, output) in new[] { (200_000L, 0L, 0L, 1000L), (200_001L, 100_000L, 50_000L, 1000L), (10L, 5L, 5L, 0L) })
        {
            Assert.True(sonnet.CostNanos(input, cached, written, output) <= sonnet.UpperBoundNanos(250_000, 1000));
        }
    }

    [Fact]
    public void The_cheapest_call_is_priced_on_the_cheapest_generative_model()
    {
        var table = Table();

        // gpt-5-nano (embeddings have no output price and do not count): 50 × 0.05 + 10 × 0.40 = 6.5 micro-USD.
        Assert.Equal(6_500, table.CheapestCallNanos);
        Assert.Equal(50 * 2_500 + 10 * 10_000, Table(o => o.CheapestCallModel = "gpt-4o").CheapestCallNanos);
    }
}
