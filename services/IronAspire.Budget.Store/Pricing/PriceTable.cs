using System.Text.Json;
using Microsoft.Extensions.Options;

namespace IronAspire.Budget.Pricing;

/// <summary>
/// Prices per model: prices.json shipped with the service, overridden by configuration <c>Budget:Prices:{model}</c>.
/// A model is found by its exact id, else by the longest priced id it starts with followed by '-' (dated snapshots such
/// as gpt-4o-2024-08-06 or claude-sonnet-4-5-20250929 are priced as their family). A model with no price is refused
/// unless <c>Budget:DefaultPrice</c> is set, because a budget that cannot price a call cannot enforce it.
/// </summary>
public sealed class PriceTable
{
    private readonly Dictionary<string, ModelPrice> _prices;
    private readonly ModelPrice? _default;

    public PriceTable(IOptions<BudgetOptions> options)
    {
        var settings = options.Value;
        _prices = new Dictionary<string, ModelPrice>(StringComparer.OrdinalIgnoreCase);
        using (var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "prices.json"))))
        {
            foreach (var entry in document.RootElement.EnumerateObject().Where(e => e.Value.ValueKind == JsonValueKind.Object))
            {
                _prices[entry.Name] = Read(entry.Value);
            }
        }

        foreach (var (model, price) in settings.Prices)
        {
            _prices[model] = price.ToModelPrice();
        }

        _default = settings.DefaultPrice?.ToModelPrice();

        // "The cheapest call" is measured on a model an agent can act with: embeddings (no output price) do not count.
        Cheapest = settings.CheapestCallModel is { } pinned
            ? Find(pinned) ?? throw new OptionsValidationException(BudgetOptions.SectionName, typeof(BudgetOptions), [$"Budget:CheapestCallModel '{pinned}' has no price."])
            : _prices.Values.Append(_default).OfType<ModelPrice>().Where(p => p.Output > 0).MinBy(p => p.Input + p.Output)
              ?? new ModelPrice(0, 0, 0, 0);
        CheapestCallNanos = Math.Max(1, Cheapest.CostNanos(settings.CheapestCallInputTokens, 0, 0, settings.CheapestCallOutputTokens));
    }

    public IReadOnlyDictionary<string, ModelPrice> All => _prices;

    /// <summary>The cheapest generative model's price.</summary>
    public ModelPrice Cheapest { get; }

    /// <summary>
    /// What the cheapest call costs (Budget:CheapestCallInputTokens in, CheapestCallOutputTokens out, on the cheapest
    /// model): a budget whose remainder is below it is exhausted.
    /// </summary>
    public long CheapestCallNanos { get; }

    public ModelPrice? Find(string model)
    {
        if (_prices.TryGetValue(model, out var price))
        {
            return price;
        }

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

    private static ModelPrice Read(JsonElement json)
    {
        var input = json.GetProperty("input").GetDecimal();
        var longContext = json.TryGetProperty("longContext", out var tier)
            ? new LongContextPrice(tier.GetProperty("aboveInputTokens").GetInt64(), Read(tier))
            : null;
        return new ModelPrice(
            input,
            json.TryGetProperty("cachedInput", out var cached) ? cached.GetDecimal() : input,
            json.TryGetProperty("cacheWriteInput", out var written) ? written.GetDecimal() : input,
            json.GetProperty("output").GetDecimal(),
            longContext);
    }
}
