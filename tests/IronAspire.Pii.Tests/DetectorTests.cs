using IronAspire.Pii.Detection;

namespace IronAspire.Pii.Tests;

public sealed class DetectorTests
{
    private static string[] Found(string text) =>
        PiiScanner.Default.Scan(text).Select(f => $"{f.Type}:{text[f.Start..f.End]}").ToArray();

    [Theory]
    [InlineData("mail jane.doe+ai@mail.example.co.uk today", "EMAIL_ADDRESS:jane.doe+ai@mail.example.co.uk")]
    [InlineData("call +1 (415) 555-2671.", "PHONE_NUMBER:+1 (415) 555-2671")]
    [InlineData("call +14155552671", "PHONE_NUMBER:+14155552671")]
    [InlineData("US 415.555.2671", "PHONE_NUMBER:415.555.2671")]
    [InlineData("UK 020 7946 0958", "PHONE_NUMBER:020 7946 0958")]
    [InlineData("UK mobile 07700 900123", "PHONE_NUMBER:07700 900123")]
    [InlineData("DE (089) 1234567", "PHONE_NUMBER:(089) 1234567")]
    [InlineData("DE 030/12345678", "PHONE_NUMBER:030/12345678")]
    [InlineData("DE +49 151 23456789", "PHONE_NUMBER:+49 151 23456789")]
    [InlineData("FR 01 23 45 67 89", "PHONE_NUMBER:01 23 45 67 89")]
    [InlineData("FR +33 6 12 34 56 78", "PHONE_NUMBER:+33 6 12 34 56 78")]
    [InlineData("phone 4155552671", "PHONE_NUMBER:4155552671")]
    [InlineData("card 4242 4242 4242 4242", "CREDIT_CARD:4242 4242 4242 4242")]
    [InlineData("amex 3782-822463-10005", "CREDIT_CARD:3782-822463-10005")]
    [InlineData("(5555555555554444)", "CREDIT_CARD:5555555555554444")]
    [InlineData("ssn 123-45-6789", "US_SSN:123-45-6789")]
    [InlineData("SSN: 123456789", "US_SSN:123456789")]
    [InlineData("IBAN DE89 3704 0044 0532 0130 00", "IBAN_CODE:DE89 3704 0044 0532 0130 00")]
    [InlineData("IBAN GB29NWBK60161331926819.", "IBAN_CODE:GB29NWBK60161331926819")]
    [InlineData("from 192.168.0.1/24", "IP_ADDRESS:192.168.0.1")]
    [InlineData("from 2001:db8::8a2e:370:7334 ok", "IP_ADDRESS:2001:db8::8a2e:370:7334")]
    [InlineData("from ::ffff:192.0.2.128", "IP_ADDRESS:::ffff:192.0.2.128")]
    [InlineData("key AKIAIOSFODNN7EXAMPLE", "SECRET:AKIAIOSFODNN7EXAMPLE")]
    [InlineData("OPENAI_API_KEY=sk-proj-abcDEF123456ghiJKL789012mnoPQR", "SECRET:sk-proj-abcDEF123456ghiJKL789012mnoPQR")]
    [InlineData("x sk-ant-api03-Abc123def456GHI789jkl012MNO345pqr-AA y", "SECRET:sk-ant-api03-Abc123def456GHI789jkl012MNO345pqr-AA")]
    [InlineData("ghp_1234567890abcdefghijABCDEFGHIJ123456", "SECRET:ghp_1234567890abcdefghijABCDEFGHIJ123456")]
    [InlineData("xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", "SECRET:xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx")]
    [InlineData("Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", "SECRET:eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U")]
    [InlineData("agent key ia-0123456789abcdefghijABCDEFGHIJ_-0123456789a.", "SECRET:ia-0123456789abcdefghijABCDEFGHIJ_-0123456789a")]
    public void Finds_each_type_in_its_common_formats(string text, string expected) =>
        Assert.Equal([expected], Found(text));

    [Fact]
    public void Finds_a_pem_private_key_block_whole()
    {
        var pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgHcTz6sE2I2yPB\naFDrBz9vFqU4yPJN5VJzRzYl1RNQ2Sg7cMTh3BnE5H8aaQ==\n-----END RSA PRIVATE KEY-----";
        Assert.Equal([$"SECRET:{pem}"], Found($"the key:\n{pem}\nthanks"));
        Assert.Empty(Found("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"));
    }

    [Theory]
    [InlineData("order ORD-2024-118734 shipped")]
    [InlineData("id 550e8400-e29b-41d4-a716-446655440000")]
    [InlineData("sha da39a3ee5e6b4b0d3255bfef95601890afd80709")]
    [InlineData("on 2024-01-15 at 10:30:45, or 15.01.2024 or 01/15/2024")]
    [InlineData("costs $1,299.99 or €49,90 or 12000.00 USD")]
    [InlineData("upgrade to v1.2.3.4 or version 10.0.15.2 or 2.13.23")]
    [InlineData("card 4242 4242 4242 4241")]
    [InlineData("ssn 000-12-3456 666-12-3456 912-12-3456 123-00-4567 123-45-0000")]
    [InlineData("IBAN DE88 3704 0044 0532 0130 00")]
    [InlineData("SN 4471-2209-8812 and serial no. 0930-9699-7192")]
    [InlineData("mac 00:1A:2B:3C:4D:5E and std::vector")]
    [InlineData("scikit-learn task-based desk-sharing Asia-Pacific user@localhost @jane")]
    [InlineData("order 123456789 and 4155552671")]
    [InlineData("ISBN 978-3-16-148410-0")]
    public void Leaves_look_alikes_alone(string text) => Assert.Empty(Found(text));

    [Theory]
    [InlineData("1234", false)]
    [InlineData("4242424242424242", true)]
    [InlineData("4242 4242 4242 4241", false)]
    public void Luhn(string value, bool valid) => Assert.Equal(valid, Checksums.Luhn(value));

    [Theory]
    [InlineData("GB82 WEST 1234 5698 7654 32", true)]
    [InlineData("GB82 WEST 1234 5698 7654 33", false)]
    [InlineData("DE89370400440532013000", true)]
    public void Mod97(string value, bool valid) => Assert.Equal(valid, Checksums.Mod97(value));

    [Fact]
    public void Custom_types_match_by_pattern_and_checksum()
    {
        CustomEntityType[] custom =
        [
            new() { Name = "EMPLOYEE_ID", Pattern = @"\bEMP-\d{6}\b" },
            new() { Name = "LOYALTY_CARD", Pattern = @"\b\d{12}\b", Validation = ChecksumKind.Luhn },
        ];
        var scanner = new PiiScanner(["EMPLOYEE_ID", "LOYALTY_CARD", PiiEntityTypes.EmailAddress], custom);
        var text = "EMP-004211 has loyalty 123456789015 (not 123456789016), mail a@b.io";
        var found = scanner.Scan(text).Select(f => $"{f.Type}:{text[f.Start..f.End]}").ToArray();
        Assert.Equal(["EMPLOYEE_ID:EMP-004211", "LOYALTY_CARD:123456789015", "EMAIL_ADDRESS:a@b.io"], found);
    }

    [Theory]
    [InlineData("employee_id", @"\d+", "name")]
    [InlineData("EMAIL_ADDRESS", @"\d+", "built-in")]
    [InlineData("X_ID", @"(?<x>a)\k<x>", "backtracking")]
    [InlineData("X_ID", @"(?=a)a", "backtracking")]
    [InlineData("X_ID", @"[", "valid regular expression")]
    [InlineData("X_ID", @"a*", "empty string")]
    public void Custom_types_that_cannot_run_safely_are_refused(string name, string pattern, string problem) =>
        Assert.Contains(problem, new CustomEntityType { Name = name, Pattern = pattern }.Problem());

    [Fact]
    public void Only_the_requested_types_are_reported()
    {
        var scanner = new PiiScanner([PiiEntityTypes.EmailAddress]);
        var found = scanner.Scan("a@b.io 4242 4242 4242 4242 10.0.0.1 sk-abcdefghij0123456789xyz");
        Assert.Equal([PiiEntityTypes.EmailAddress], found.Select(f => f.Type));
    }
}
