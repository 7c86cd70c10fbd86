using System.Text.Json;
using Microsoft.Extensions.Options;

namespace IronAspire.Budget.Pricing;

/// <summary>
/// Prices per model: prices.json shipped with the service, overridden by configuration <c>Budget:Prices:{model}</c>.
/// A dated snapshot (gpt-4o-2024-08-06, claude-sonnet-4-5-20250929) is priced as its family; a model with no price
/// is refused unless <c>Budget:DefaultPrice</c> is set, because a budget that cannot price a call cannot enforce it.
/// </summary>
public sealed class PriceTable
{
    private readonly Dictionary<string, ModelPrice> _prices;
    private readonly ModelPrice? _default;

    public PriceTable(IOptions<BudgetOptions> options, IHostEnvironment environment)
    {
        var file = Path.Combine(AppContext.BaseDirectory, "prices.json");
        _prices = new Dictionary<string, ModelPrice>(StringComparer.OrdinalIgnoreCase);
        using (var document = JsonDocument.Parse(File.ReadAllText(file)))
        {
            foreach (var entry in document.RootElement.EnumerateObject().Where(e => e.Value.ValueKind == JsonValueKind.Object))
            {
                _prices[entry.Name] = new ModelPrice(
                    entry.Value.GetProperty("input").GetDecimal(),
                    entry.Value.GetProperty("cachedInput").GetDecimal(),
                    entry.Value.GetProperty("output").GetDecimal());
            }
        }

        foreach (var (model, price) in options.Value.Prices)
        {
            _prices[model] = new ModelPrice(price.Input, price.CachedInput ?? price.Input, price.Output);
        }

        if (options.Value.DefaultPrice is { } fallback)
        {
            _default = new ModelPrice(fallback.Input, fallback.CachedInput ?? fallback.Input, fallback.Output);
        }

        _ = environment;
        Cheapest = _prices.Values.Append(_default).OfType<ModelPrice>().MinBy(p => p.Input + p.Output)!;
    }

    public IReadOnlyDictionary<string, ModelPrice> All => _prices;

    /// <summary>The cheapest model's price: what "cannot pay for the cheapest call" is measured against.</summary>
    public ModelPrice Cheapest { get; }

    public ModelPrice? Find(string model)
    {
        if (_prices.TryGetValue(model, out var price))
        {
            return price;
        }

        // Longest known prefix followed by '-' (dated snapshots and variants of a family).
        ModelPrice? best = null;
        var bestLength = 0;
        foreach (var (name, candidate) in _prices)
        {
            if (name.Length > bestLength && model.Length > name.Length && model[name.Length] == '-'
                && model.StartsWith(name, StringComparison.OrdinalIgnoreCase))
            {
                best = candidate;
                bestLength = name.Length;
            }
        }

        return best ?? _default;
    }
}
