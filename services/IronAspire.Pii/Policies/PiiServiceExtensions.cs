using IronAspire.Pii.Policies;
using IronAspire.Pii.Redaction;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

public static class PiiServiceExtensions
{
    /// <summary>
    /// Registers <see cref="PiiPolicyStore"/>, <see cref="PiiPolicyCache"/> and the <see cref="PiiPseudonymizer"/>
    /// (options from section "Pii"). Needs an <c>IConnectionMultiplexer</c>: call <c>AddRedisClient("cache")</c> too.
    /// </summary>
    public static IHostApplicationBuilder AddPiiPolicies(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<PiiOptions>().BindConfiguration(PiiOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.TryAddSingleton(sp =>
        {
            var key = sp.GetRequiredService<IOptions<PiiOptions>>().Value.PseudonymKey;
            if (string.IsNullOrEmpty(key))
            {
                sp.GetRequiredService<ILoggerFactory>().CreateLogger<PiiPseudonymizer>()
                    .LogWarning("Pii:PseudonymKey is not set; hash-style pseudonyms are stable only within this process");
                return PiiPseudonymizer.Ephemeral();
            }

            return PiiPseudonymizer.FromSecret(key);
        });
        builder.Services.TryAddSingleton<PiiPolicyStore>();
        builder.Services.TryAddSingleton<PiiPolicyCache>();
        return builder;
    }
}
