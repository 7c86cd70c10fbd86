using System.Text.Json;
using System.Text.Json.Serialization;
using IronAspire.Pii.Detection;
using IronAspire.Pii.Redaction;

namespace IronAspire.Pii.Policies;

/// <summary>
/// A PII policy: per direction and per type an action, per type a redaction style, and custom types. The default
/// policy names every type; an agent's policy is an override laid over it entry by entry (see <see cref="Over"/>).
/// </summary>
public sealed record PiiPolicy
{
    /// <summary>Actions on prompts (what the agent sends to the provider). Types not named: allow.</summary>
    public Dictionary<string, PiiAction> Request { get; init; } = [];

    /// <summary>Actions on completions (what the provider sends back). Types not named: allow.</summary>
    public Dictionary<string, PiiAction> Response { get; init; } = [];

    /// <summary>Redaction style per type. Types not named: placeholder.</summary>
    public Dictionary<string, PiiRedactionStyle> Styles { get; init; } = [];

    public List<CustomEntityType> CustomTypes { get; init; } = [];

    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>
    /// The built-in default. Secrets and financial or government identifiers are never needed by a model, so they are
    /// redacted both ways; e-mail addresses, phone numbers and IP addresses are routinely part of legitimate work
    /// (drafting a reply, reading a log), so they are only counted. Operators tighten per agent.
    /// </summary>
    public static PiiPolicy BuiltInDefault { get; } = CreateBuiltInDefault();

    private static PiiPolicy CreateBuiltInDefault()
    {
        Dictionary<string, PiiAction> Actions() => new()
        {
            [PiiEntityTypes.Secret] = PiiAction.Redact,
            [PiiEntityTypes.CreditCard] = PiiAction.Redact,
            [PiiEntityTypes.UsSsn] = PiiAction.Redact,
            [PiiEntityTypes.IbanCode] = PiiAction.Redact,
            [PiiEntityTypes.EmailAddress] = PiiAction.Audit,
            [PiiEntityTypes.PhoneNumber] = PiiAction.Audit,
            [PiiEntityTypes.IpAddress] = PiiAction.Audit,
        };

        return new PiiPolicy { Request = Actions(), Response = Actions() };
    }

    /// <summary>
    /// This policy (an agent's override) laid over <paramref name="basePolicy"/> (the default): every action and style it
    /// names replaces the base's, custom types with the same name replace the base's, others are added.
    /// </summary>
    public PiiPolicy Over(PiiPolicy basePolicy)
    {
        static Dictionary<string, T> Merge<T>(Dictionary<string, T> under, Dictionary<string, T> over)
        {
            var merged = new Dictionary<string, T>(under, StringComparer.Ordinal);
            foreach (var (key, value) in over)
            {
                merged[key] = value;
            }

            return merged;
        }

        var custom = basePolicy.CustomTypes.Where(b => CustomTypes.All(c => c.Name != b.Name)).Concat(CustomTypes).ToList();
        return new PiiPolicy
        {
            Request = Merge(basePolicy.Request, Request),
            Response = Merge(basePolicy.Response, Response),
            Styles = Merge(basePolicy.Styles, Styles),
            CustomTypes = custom,
        };
    }

    /// <summary>
    /// Problems that make this policy unusable, by field (empty when valid): unknown types, invalid custom types.
    /// <paramref name="knownCustomTypes"/> are custom types defined elsewhere (an override may act on the default's).
    /// </summary>
    public Dictionary<string, string[]> Validate(IEnumerable<string>? knownCustomTypes = null)
    {
        var errors = new Dictionary<string, string[]>();
        var known = new HashSet<string>(PiiEntityTypes.BuiltIn, StringComparer.Ordinal);
        known.UnionWith(knownCustomTypes ?? []);
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < CustomTypes.Count; i++)
        {
            var custom = CustomTypes[i];
            if (custom is null)
            {
                errors[$"customTypes[{i}]"] = ["must not be null"];
                continue;
            }

            var problem = custom.Problem();
            if (problem is not null)
            {
                errors[$"customTypes[{i}]"] = [problem];
            }
            else if (!names.Add(custom.Name))
            {
                errors[$"customTypes[{i}]"] = [$"'{custom.Name}' is defined twice"];
            }

            known.Add(custom.Name);
        }

        void CheckTypes<T>(string field, Dictionary<string, T>? entries)
        {
            if (entries is null)
            {
                errors[field] = ["must not be null"];
                return;
            }

            var unknown = entries.Keys.Where(k => !known.Contains(k)).ToArray();
            if (unknown.Length > 0)
            {
                errors[field] = [$"unknown entity types: {string.Join(", ", unknown)}"];
            }

            var undefined = entries.Where(e => !Enum.IsDefined(typeof(T), e.Value!)).Select(e => e.Key).ToArray();
            if (undefined.Length > 0)
            {
                errors[field] = [$"invalid value for: {string.Join(", ", undefined)}"];
            }
        }

        CheckTypes("request", Request);
        CheckTypes("response", Response);
        CheckTypes("styles", Styles);
        return errors;
    }
}
