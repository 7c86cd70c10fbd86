using System.Text.Json;
using IronAspire.Contracts.Events;
using IronAspire.Pii.Detection;
using IronAspire.Pii.Policies;
using IronAspire.Pii.Redaction;

namespace IronAspire.Pii.Tests;

public sealed class RedactionTests
{
    private static readonly PiiPseudonymizer Key = PiiPseudonymizer.FromSecret("a-test-key-of-32-characters-long");

    private static PiiRedactor Redactor(PiiAction action, PiiRedactionStyle style = PiiRedactionStyle.Placeholder, PiiPseudonymizer? key = null) =>
        new(PiiDirection.Response,
            PiiEntityTypes.BuiltIn.ToDictionary(t => t, _ => action),
            PiiEntityTypes.BuiltIn.ToDictionary(t => t, _ => style),
            pseudonymizer: key ?? Key);

    [Fact]
    public void Placeholder_is_the_default_style()
    {
        var result = Redactor(PiiAction.Redact).Redact("Mail jane@example.com or call +44 20 7946 0958.");
        Assert.Equal("Mail [EMAIL_ADDRESS] or call [PHONE_NUMBER].", result.Text);
        Assert.Equal(1, result.Tally.Counts[PiiEntityTypes.EmailAddress]);
        Assert.Equal(PiiAction.Redact, result.Tally.Action);
    }

    [Fact]
    public void Mask_keeps_the_shape_and_last_four()
    {
        var redactor = Redactor(PiiAction.Redact, PiiRedactionStyle.Mask);
        Assert.Equal("card **** **** **** 4242", redactor.Redact("card 4242 4242 4242 4242").Text);
        Assert.Equal("mail j***@example.com", redactor.Redact("mail jane@example.com").Text);
    }

    [Fact]
    public void Hash_is_a_stable_keyed_pseudonym()
    {
        var a = Redactor(PiiAction.Redact, PiiRedactionStyle.Hash).Redact("jane@example.com and jane@example.com and bob@example.com").Text;
        var parts = a.Split(" and ");
        Assert.Matches(@"^\[EMAIL_ADDRESS:[0-9a-f]{12}\]$", parts[0]);
        Assert.Equal(parts[0], parts[1]);
        Assert.NotEqual(parts[0], parts[2]);

        var otherKey = Redactor(PiiAction.Redact, PiiRedactionStyle.Hash, PiiPseudonymizer.FromSecret("another-key-of-32-characters-xx")).Redact("jane@example.com").Text;
        Assert.NotEqual(parts[0], otherKey);
    }

    [Fact]
    public void Remove_drops_the_value()
    {
        Assert.Equal("key:  end", Redactor(PiiAction.Redact, PiiRedactionStyle.Remove).Redact("key: AKIAIOSFODNN7EXAMPLE end").Text);
    }

    [Fact]
    public void Audit_counts_without_changing_the_text()
    {
        const string text = "mail jane@example.com";
        var result = Redactor(PiiAction.Audit).Redact(text);
        Assert.Same(text, result.Text);
        Assert.Equal(1, result.Tally.Counts[PiiEntityTypes.EmailAddress]);
        Assert.Equal(PiiAction.Audit, result.Tally.Action);
        Assert.False(result.Tally.Blocked);
    }

    [Fact]
    public void Block_reports_the_types_and_still_never_emits_the_value()
    {
        var result = Redactor(PiiAction.Block).Redact("ssn 123-45-6789, mail jane@example.com");
        Assert.True(result.Tally.Blocked);
        Assert.Equal([PiiEntityTypes.EmailAddress, PiiEntityTypes.UsSsn], result.Tally.BlockedTypes);
        Assert.DoesNotContain("6789", result.Text);
    }

    [Fact]
    public void Allow_everything_is_a_pass_through()
    {
        var redactor = Redactor(PiiAction.Allow);
        Assert.True(redactor.IsPassThrough);
        const string text = "jane@example.com";
        Assert.Same(text, redactor.Redact(text).Text);
    }

    [Fact]
    public void Built_in_default_redacts_secrets_and_financial_ids_and_audits_contact_data()
    {
        var policy = new CompiledPiiPolicy(PiiPolicy.BuiltInDefault, Key);
        var result = policy.Request.Redact("card 4242 4242 4242 4242, mail jane@example.com, key AKIAIOSFODNN7EXAMPLE");
        Assert.Equal("card [CREDIT_CARD], mail jane@example.com, key [SECRET]", result.Text);
        Assert.Equal(3, result.Tally.Total);
    }

    [Fact]
    public void An_agent_override_is_laid_over_the_default_entry_by_entry()
    {
        var agent = new PiiPolicy
        {
            Response = { [PiiEntityTypes.EmailAddress] = PiiAction.Redact },
            Styles = { [PiiEntityTypes.CreditCard] = PiiRedactionStyle.Mask },
            CustomTypes = [new CustomEntityType { Name = "EMPLOYEE_ID", Pattern = @"\bEMP-\d{6}\b" }],
        };
        agent.Request["EMPLOYEE_ID"] = PiiAction.Block;
        var effective = new CompiledPiiPolicy(agent.Over(PiiPolicy.BuiltInDefault), Key);

        Assert.Equal("[EMAIL_ADDRESS] **** **** **** 4242", effective.Response.Redact("jane@example.com 4242 4242 4242 4242").Text);
        Assert.Equal(PiiAction.Audit, effective.Request.ActionFor(PiiEntityTypes.EmailAddress));
        Assert.True(effective.Request.Redact("for EMP-123456").Tally.Blocked);
    }

    [Fact]
    public void Policy_json_uses_lower_case_names_and_round_trips()
    {
        var policy = new PiiPolicy
        {
            Request = { [PiiEntityTypes.Secret] = PiiAction.Block },
            Styles = { [PiiEntityTypes.CreditCard] = PiiRedactionStyle.Mask },
            CustomTypes = [new CustomEntityType { Name = "LOYALTY", Pattern = @"\d{12}", Validation = ChecksumKind.Mod97 }],
        };
        var json = JsonSerializer.Serialize(policy, PiiPolicy.Json);
        Assert.Contains("\"SECRET\":\"block\"", json);
        Assert.Contains("\"CREDIT_CARD\":\"mask\"", json);
        Assert.Contains("\"validation\":\"mod97\"", json);
        var back = JsonSerializer.Deserialize<PiiPolicy>(json, PiiPolicy.Json)!;
        Assert.Equal(PiiAction.Block, back.Request[PiiEntityTypes.Secret]);
        Assert.Equal(ChecksumKind.Mod97, back.CustomTypes[0].Validation);
    }

    [Theory]
    [InlineData("""{"request":{"SECRET":"explode"}}""")]
    [InlineData("""{"request":{"SECRET":2}}""")]
    [InlineData("""{"unknownField":1}""")]
    public void Policy_json_with_invalid_values_is_refused(string json) =>
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<PiiPolicy>(json, PiiPolicy.Json));

    [Fact]
    public void Validation_names_unknown_types_and_bad_custom_types()
    {
        var policy = new PiiPolicy
        {
            Request = { ["PASSPORT"] = PiiAction.Redact },
            CustomTypes = [new CustomEntityType { Name = "BAD", Pattern = "(?<=a)b" }],
        };
        var errors = policy.Validate();
        Assert.Contains("PASSPORT", errors["request"][0]);
        Assert.Contains("backtracking", errors["customTypes[0]"][0]);
        Assert.Empty(new PiiPolicy { Request = { ["EMPLOYEE_ID"] = PiiAction.Redact } }.Validate(["EMPLOYEE_ID"]));
    }
}
