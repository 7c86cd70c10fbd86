namespace IronAspire.Pii;

/// <summary>The built-in entity types, named as Microsoft Presidio names them so findings mean the same thing everywhere.</summary>
public static class PiiEntityTypes
{
    public const string EmailAddress = "EMAIL_ADDRESS";
    public const string PhoneNumber = "PHONE_NUMBER";
    public const string CreditCard = "CREDIT_CARD";
    public const string UsSsn = "US_SSN";
    public const string IbanCode = "IBAN_CODE";
    public const string IpAddress = "IP_ADDRESS";
    public const string Secret = "SECRET";

    public static IReadOnlyList<string> BuiltIn { get; } =
        [EmailAddress, PhoneNumber, CreditCard, UsSsn, IbanCode, IpAddress, Secret];

    public static bool IsBuiltIn(string type) => BuiltIn.Contains(type, StringComparer.Ordinal);

    internal static BuiltInTypes ToFlag(string type) => type switch
    {
        EmailAddress => BuiltInTypes.Email,
        PhoneNumber => BuiltInTypes.Phone,
        CreditCard => BuiltInTypes.CreditCard,
        UsSsn => BuiltInTypes.UsSsn,
        IbanCode => BuiltInTypes.Iban,
        IpAddress => BuiltInTypes.IpAddress,
        Secret => BuiltInTypes.Secret,
        _ => BuiltInTypes.None,
    };
}

[Flags]
internal enum BuiltInTypes
{
    None = 0,
    Email = 1,
    Phone = 2,
    CreditCard = 4,
    UsSsn = 8,
    Iban = 16,
    IpAddress = 32,
    Secret = 64,
    All = Email | Phone | CreditCard | UsSsn | Iban | IpAddress | Secret,
}
