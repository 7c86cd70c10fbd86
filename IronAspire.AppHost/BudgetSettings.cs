using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;

namespace IronAspire.AppHost;

/// <summary>
/// The <c>Budget</c> settings (default limit, prices, cheapest call) for every service that runs the budget scripts:
/// the Budget service and the Router reserve against the same Redis counters, so they must price calls alike.
/// Anything under <c>Budget</c> in the AppHost's configuration (e.g. <c>--Budget:Prices:my-model:Input=1</c>) goes to both.
/// </summary>
internal static class BudgetSettings
{
    public static void Apply(IConfiguration configuration, params IResourceBuilder<ProjectResource>[] services)
    {
        // Agents without a budget of their own get this much in the local model (the demo agent among them).
        var settings = new Dictionary<string, string>
        {
            ["Budget__DefaultAgentLimitUsd"] = configuration["IRONASPIRE_DEFAULT_AGENT_BUDGET_USD"] ?? "5",
        };
        foreach (var (key, value) in configuration.GetSection("Budget").AsEnumerable())
        {
            if (value is not null)
            {
                settings[key.Replace(":", "__", StringComparison.Ordinal)] = value;
            }
        }

        foreach (var service in services)
        {
            foreach (var (name, value) in settings)
            {
                service.WithEnvironment(name, value);
            }
        }
    }
}
