using System.Text;

namespace IronAspire.Pii.Tests.Corpus;

public sealed record Label(string Type, int Start, int End);

public sealed record Sample(string Text, IReadOnlyList<Label> Labels);

/// <summary>
/// Sentences built from prose templates with values of every type (and hard negatives) in their slots; the labels
/// are the exact spans of the real values. Deterministic for a seed.
/// </summary>
public static class LabelledCorpus
{
    private static readonly string[] Templates =
    [
        "Please contact me at {0} tomorrow.",
        "Here it is: {0}",
        "{0} is what the customer gave us.",
        "The form said \"{0}\", can you check it?",
        "I copied ({0}) from the ticket.",
        "Value:\n{0}\nEnd of value.",
        "Can you summarise this note - {0} - for the team?",
        "Reply to the thread and mention {0}, then close it.",
        "Log line 42: user={0} status=ok",
        "In the spreadsheet, row 17 has {0}; row 18 is empty.",
        "Forward everything to {0}!",
        "<td>{0}</td>",
        "'{0}'",
        "Notes from the call on Monday: they want {0} on file before the 3rd.",
        "Translate to French: My details are {0}.",
        "{\"field\": \"{0}\", \"verified\": true}",
        "- {0}",
        "Is {0} the right one? I am not sure.",
    ];

    private static readonly Dictionary<string, string[]> LeadIns = new()
    {
        [PiiEntityTypes.EmailAddress] = ["email", "mail me at", "address", ""],
        [PiiEntityTypes.PhoneNumber] = ["phone", "call", "mobile", "tel.", "", "number"],
        [PiiEntityTypes.CreditCard] = ["card", "Visa", "card number", "", "pay with"],
        [PiiEntityTypes.UsSsn] = ["SSN", "social security number", "SSN:", ""],
        [PiiEntityTypes.IbanCode] = ["IBAN", "account", "IBAN:", ""],
        [PiiEntityTypes.IpAddress] = ["IP", "server", "from", ""],
        [PiiEntityTypes.Secret] = ["key", "token", "the API key is", "", "export OPENAI_API_KEY="],
    };

    public static List<Sample> Generate(int seed, int perType)
    {
        var values = new Values(seed);
        var samples = new List<Sample>();
        foreach (var type in PiiEntityTypes.BuiltIn)
        {
            for (var i = 0; i < perType; i++)
            {
                var (value, context) = Value(values, type);
                var lead = context ? "SSN" : values.Pick(LeadIns[type]);
                var slot = lead.Length == 0 ? "{V}" : lead.EndsWith('=') ? lead + "{V}" : lead + " {V}";
                var builder = new Builder(values.Pick(Templates).Replace("{0}", slot));
                builder.Fill("{V}", value, type);

                // Every third sentence also carries a hard negative, every fifth a second entity.
                if (i % 3 == 0)
                {
                    builder.Append(" Ref " + values.Negative() + ".");
                }

                if (i % 5 == 0)
                {
                    var other = values.Pick(PiiEntityTypes.BuiltIn.Where(t => t != PiiEntityTypes.UsSsn).ToArray());
                    builder.Append(" Also " + values.Pick(LeadIns[other]) + " ");
                    builder.AppendValue(Value(values, other).Value, other);
                    builder.Append(" please.");
                }

                samples.Add(builder.Build());
            }
        }

        // Sentences with hard negatives only.
        for (var i = 0; i < perType * 3; i++)
        {
            var builder = new Builder(values.Pick(Templates).Replace("{0}", values.Negative()));
            samples.Add(builder.Build());
        }

        return samples;
    }

    private static (string Value, bool NeedsContext) Value(Values values, string type) => type switch
    {
        PiiEntityTypes.EmailAddress => (values.Email(), false),
        PiiEntityTypes.PhoneNumber => (values.Phone(), false),
        PiiEntityTypes.CreditCard => (values.Card(), false),
        PiiEntityTypes.UsSsn => values.Ssn(),
        PiiEntityTypes.IbanCode => (values.Iban(), false),
        PiiEntityTypes.IpAddress => (values.Ip(), false),
        _ => (values.Secret(), false),
    };

    private sealed class Builder(string template)
    {
        private readonly StringBuilder _text = new();
        private readonly List<Label> _labels = [];
        private string _template = template;

        public void Fill(string slot, string value, string type)
        {
            var at = _template.IndexOf(slot, StringComparison.Ordinal);
            _text.Append(_template.AsSpan(0, at));
            AppendValue(value, type);
            _text.Append(_template.AsSpan(at + slot.Length));
            _template = "";
        }

        public void Append(string s) => _text.Append(s);

        public void AppendValue(string value, string type)
        {
            _labels.Add(new Label(type, _text.Length, _text.Length + value.Length));
            _text.Append(value);
        }

        public Sample Build()
        {
            _text.Append(_template);
            return new Sample(_text.ToString(), _labels);
        }
    }
}
