using System.Security.Cryptography;
using System.Text;
using IronAspire.Pii.Detection;

namespace IronAspire.Pii.Tests.Corpus;

/// <summary>Random but valid (and deliberately invalid) values of every type, in the formats people write them.</summary>
public sealed class Values(int seed)
{
    private const string Upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    private const string Lower = "abcdefghijklmnopqrstuvwxyz";
    private const string Alnum = Upper + Lower + "0123456789";
    private const string Base64Url = Alnum + "-_";

    private readonly Random _random = new(seed);

    public int Next(int max) => _random.Next(max);
    public int Next(int min, int max) => _random.Next(min, max);
    public T Pick<T>(params T[] items) => items[_random.Next(items.Length)];
    public string Digits(int n) => Chars("0123456789", n);
    public string Chars(string alphabet, int n) => string.Create(n, (alphabet, this), static (s, st) => { for (var i = 0; i < s.Length; i++) s[i] = st.alphabet[st.Item2._random.Next(st.alphabet.Length)]; });

    // ---------- e-mail ----------
    private static readonly string[] First = ["john", "maria", "li", "oluwaseun", "anne-marie", "jp", "k", "sofia", "mohammed", "dana"];
    private static readonly string[] Last = ["smith", "garcia", "wang", "okafor", "dubois", "mueller", "o.neil", "kowalski", "tanaka", "lee"];
    private static readonly string[] Domains = ["example.com", "mail.example.org", "corp.example.co.uk", "uni-example.de", "example.fr", "startup.io", "x.example.net"];

    public string Email() => Pick(
        $"{Pick(First)}.{Pick(Last)}@{Pick(Domains)}",
        $"{Pick(First)}_{Pick(Last)}{Next(1, 99)}@{Pick(Domains)}",
        $"{Pick(First)}+{Pick("news", "billing", "ai")}@{Pick(Domains)}",
        $"{Pick(First)[0]}{Pick(Last)}@{Pick(Domains)}",
        $"{Pick(First).ToUpperInvariant()}.{Pick(Last)}@{Pick(Domains).ToUpperInvariant()}");

    // ---------- phone ----------
    private string Nanp() => $"{Next(2, 10)}{Next(0, 9)}{Next(0, 10)}";

    public string Phone() => Next(17) switch
    {
        0 => $"+1{Nanp()}{Nanp()}{Digits(4)}",
        1 => $"+1 {Nanp()}-{Nanp()}-{Digits(4)}",
        2 => $"+1 ({Nanp()}) {Nanp()}-{Digits(4)}",
        3 => $"({Nanp()}) {Nanp()}-{Digits(4)}",
        4 => $"{Nanp()}-{Nanp()}-{Digits(4)}",
        5 => $"{Nanp()}.{Nanp()}.{Digits(4)}",
        6 => $"+44 20 {Next(7, 9)}{Digits(3)} {Digits(4)}",
        7 => $"+44 7{Digits(3)} {Digits(6)}",
        8 => $"020 {Next(7, 9)}{Digits(3)} {Digits(4)}",
        9 => $"07{Digits(3)} {Digits(6)}",
        10 => $"+49 {Pick("30", "89", "40", "151", "171")} {Next(1, 10)}{Digits(6)}",
        11 => $"0{Pick("30", "40", "221")} {Next(1, 10)}{Digits(7)}",
        12 => $"0{Pick("151", "160", "176")} {Next(1, 10)}{Digits(7)}",
        13 => $"(0{Pick("89", "69")}) {Next(1, 10)}{Digits(6)}",
        14 => $"0{Pick("30", "89")}/{Next(1, 10)}{Digits(6)}",
        15 => $"0{Next(1, 8)} {Digits(2)} {Digits(2)} {Digits(2)} {Digits(2)}",
        _ => Pick($"+33 {Next(1, 8)} {Digits(2)} {Digits(2)} {Digits(2)} {Digits(2)}", $"0{Next(1, 8)}.{Digits(2)}.{Digits(2)}.{Digits(2)}.{Digits(2)}"),
    };

    // ---------- credit card ----------
    public string CardDigits(bool valid = true)
    {
        var (prefix, length) = Next(6) switch
        {
            0 => ("4", 16),
            1 => ($"5{Next(1, 6)}", 16),
            2 => ($"{Next(2221, 2721)}", 16),
            3 => (Pick("34", "37"), 15),
            4 => ("6011", 16),
            _ => ($"35{Next(28, 90)}", 16),
        };
        var payload = prefix + Digits(length - prefix.Length - 1);
        var check = LuhnCheckDigit(payload);
        return payload + (valid ? check : (check + 1 + Next(9)) % 10);
    }

    public string Card(bool valid = true)
    {
        var d = CardDigits(valid);
        if (d.Length == 15)
        {
            var sep = Pick(" ", "-", "");
            return $"{d[..4]}{sep}{d[4..10]}{sep}{d[10..]}";
        }

        var s = Pick(" ", "-", "");
        return $"{d[..4]}{s}{d[4..8]}{s}{d[8..12]}{s}{d[12..]}";
    }

    private static int LuhnCheckDigit(string payload)
    {
        var sum = 0;
        for (var i = 0; i < payload.Length; i++)
        {
            var d = payload[payload.Length - 1 - i] - '0';
            if (i % 2 == 0)
            {
                d *= 2;
                if (d > 9) d -= 9;
            }

            sum += d;
        }

        return (10 - sum % 10) % 10;
    }

    // ---------- SSN ----------
    public (string Value, bool NeedsContext) Ssn()
    {
        int area;
        do { area = Next(1, 900); } while (area == 666);
        var v = $"{area:000}{Next(1, 100):00}{Next(1, 10000):0000}";
        return Next(3) switch
        {
            0 => ($"{v[..3]}-{v[3..5]}-{v[5..]}", false),
            1 => ($"{v[..3]} {v[3..5]} {v[5..]}", false),
            _ => (v, true),
        };
    }

    public string InvalidSsn() => Next(5) switch
    {
        0 => $"000-{Next(1, 100):00}-{Next(1, 10000):0000}",
        1 => $"666-{Next(1, 100):00}-{Next(1, 10000):0000}",
        2 => $"9{Next(0, 100):00}-{Next(1, 100):00}-{Next(1, 10000):0000}",
        3 => $"{Next(1, 666):000}-00-{Next(1, 10000):0000}",
        _ => $"{Next(1, 666):000}-{Next(1, 100):00}-0000",
    };

    // ---------- IBAN ----------
    public string Iban(bool valid = true)
    {
        var (country, bban) = Next(7) switch
        {
            0 => ("DE", Digits(18)),
            1 => ("GB", Chars(Upper, 4) + Digits(14)),
            2 => ("FR", Digits(10) + Chars(Upper + "0123456789", 11) + Digits(2)),
            3 => ("NL", Chars(Upper, 4) + Digits(10)),
            4 => ("ES", Digits(20)),
            5 => ("IT", Chars(Upper, 1) + Digits(10) + Chars(Upper + "0123456789", 12)),
            _ => ("CH", Digits(5) + Chars(Upper + "0123456789", 12)),
        };
        var valid97 = 98 - Mod97(bban + country + "00");
        var check = valid97;
        while (!valid && (check == valid97 || check < 2))
        {
            check = Next(2, 99);
        }

        var iban = $"{country}{check:00}{bban}";
        if (Next(2) == 0)
        {
            return iban;
        }

        var spaced = new StringBuilder();
        for (var i = 0; i < iban.Length; i += 4)
        {
            if (i > 0) spaced.Append(' ');
            spaced.Append(iban.AsSpan(i, Math.Min(4, iban.Length - i)));
        }

        return spaced.ToString();
    }

    private static int Mod97(string s)
    {
        var r = 0;
        foreach (var c in s)
        {
            r = char.IsAsciiDigit(c) ? (r * 10 + (c - '0')) % 97 : (r * 100 + (c - 'A' + 10)) % 97;
        }

        return r;
    }

    // ---------- IP ----------
    public string Ip() => Next(5) switch
    {
        0 or 1 => $"{Next(1, 224)}.{Next(0, 256)}.{Next(0, 256)}.{Next(1, 255)}",
        2 => string.Join(':', Enumerable.Range(0, 8).Select(_ => Chars("0123456789abcdef", 4))),
        3 => $"2001:db8::{Chars("0123456789abcdef", Next(1, 5))}:{Chars("0123456789abcdef", 4)}",
        _ => $"fe80::{Chars("123456789abcdef", 3)}:{Chars("0123456789abcdef", 4)}:{Next(1000, 9999)}:{Chars("0123456789abcdef", 4)}",
    };

    // ---------- secrets ----------
    public string Secret() => Next(11) switch
    {
        0 => Pick("AKIA", "ASIA") + Chars(Upper + "234567", 16),
        1 => "sk-" + Chars(Alnum, 48),
        2 => "sk-proj-" + Chars(Base64Url, 100),
        3 => "sk-ant-api03-" + Chars(Base64Url, 93) + "AA",
        4 => Pick("ghp_", "gho_", "ghs_") + Chars(Alnum, 36),
        5 => "github_pat_" + Chars(Alnum, 22) + "_" + Chars(Alnum, 59),
        6 => Pick("xoxb-", "xoxp-") + Digits(12) + "-" + Digits(13) + "-" + Chars(Alnum, 24),
        7 => Jwt(),
        8 => Pem(),
        9 => "ia-" + Convert.ToBase64String(RandomBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_'),
        _ => "sk-" + Chars(Alnum, 20) + "T3BlbkFJ" + Chars(Alnum, 20),
    };

    private byte[] RandomBytes(int n)
    {
        var b = new byte[n];
        _random.NextBytes(b);
        return b;
    }

    private static string B64Url(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public string Jwt() =>
        B64Url("""{"alg":"HS256","typ":"JWT"}""") + "." + B64Url($$"""{"sub":"{{Next(100000, 999999)}}","name":"{{Pick(First)}}","iat":{{Next(1600000000, 1800000000)}}}""") + "." + Chars(Base64Url, 43);

    public string Pem()
    {
        var label = Pick("RSA PRIVATE KEY", "PRIVATE KEY", "EC PRIVATE KEY", "OPENSSH PRIVATE KEY");
        var body = Convert.ToBase64String(RandomBytes(Next(90, 400)));
        var lines = Enumerable.Range(0, (body.Length + 63) / 64).Select(i => body.Substring(i * 64, Math.Min(64, body.Length - i * 64)));
        return $"-----BEGIN {label}-----\n{string.Join('\n', lines)}\n-----END {label}-----";
    }

    // ---------- hard negatives ----------
    public string Negative() => Next(30) switch
    {
        22 => $"sort code {Digits(2)}-{Digits(2)}-{Digits(2)}",
        23 => Pick($"{Next(1, 99)} {Digits(3)} {Digits(3)} {Digits(3)}", $"{Next(1, 9)} {Digits(3)} {Digits(3)},{Digits(2)} €"),
        24 => Pick($"{Next(1600000000, 1800000000)}", $"{Next(1600000000, 1800000000)}{Digits(3)}"),
        25 => Pick($"{Next(0, 9)}.{Next(0, 20)}.{Next(0, 99)}-beta.{Next(1, 9)}", $"CVE-{Next(2015, 2026)}-{Digits(5)}", $"HTTP {Pick(400, 404, 500, 503)}"),
        26 => Pick($"account {Next(1, 9)}{Digits(11)}", $"customer id {Next(1, 9)}{Digits(9)}", $"#{Chars("0123456789abcdef", 6)}"),
        27 => Pick($"localhost:{Next(1024, 65535)}", $"{Next(1, 255)}.{Next(0, 255)}.{Next(0, 255)}", $"{Next(256, 999)}.{Next(0, 255)}.{Next(0, 255)}.{Next(0, 255)}", $"{Next(1, 9)}.{Next(1, 9)}.{Next(1, 9)}.{Next(1, 9)}.{Next(1, 9)}"),
        28 => Pick($"SW1A {Next(1, 9)}AA", $"{Next(10000, 99999)}-{Digits(4)}", $"page {Next(1, 400)} of {Next(400, 999)}"),
        29 => Pick($"{Next(1, 12)}:{Next(10, 59)} am", $"{Next(1, 28)} March {Next(1990, 2030)}", $"{Next(1, 100)}.{Digits(1)}%"),
        0 => $"ORD-{Next(2019, 2026)}-{Digits(6)}",
        1 => $"order #{Chars(Upper, 1)}{Digits(3)}-{Digits(5)}",
        2 => new Guid(RandomBytes(16)).ToString(),
        3 => Convert.ToHexStringLower(SHA1.HashData(RandomBytes(8))),
        4 => Convert.ToHexStringLower(SHA256.HashData(RandomBytes(8))),
        5 => $"{Next(2000, 2030)}-{Next(1, 13):00}-{Next(1, 29):00}",
        6 => Pick($"{Next(1, 29):00}.{Next(1, 13):00}.{Next(2000, 2030)}", $"{Next(1, 13):00}/{Next(1, 29):00}/{Next(2000, 2030)}", $"{Next(2000, 2030)}-{Next(1, 13):00}-{Next(1, 29):00}T{Next(0, 24):00}:{Next(0, 60):00}:{Next(0, 60):00}Z"),
        7 => Pick($"${Next(1, 9)},{Digits(3)}.{Digits(2)}", $"€{Next(1, 999)},{Digits(2)}", $"USD {Next(1000, 99999)}.00", $"{Next(1, 999)}.{Digits(2)} EUR"),
        8 => Pick($"v{Next(0, 20)}.{Next(0, 20)}.{Next(0, 200)}", $"{Next(0, 20)}.{Next(0, 20)}.{Next(0, 200)}", $"version {Next(1, 20)}.{Next(0, 20)}.{Next(0, 20)}.{Next(0, 999)}"),
        9 => Card(valid: false),
        10 => InvalidSsn(),
        11 => Iban(valid: false),
        12 => Pick($"SN {Digits(4)}-{Digits(4)}-{Digits(4)}", $"serial no. {Next(10, 99)}-{Digits(4)}-{Digits(4)}", $"part {Next(1000, 9999)}-{Digits(3)}-{Digits(2)}"),
        13 => $"{Next(0, 24):00}:{Next(0, 60):00}:{Next(0, 60):00}",
        14 => $"978-{Next(0, 9)}-{Digits(2)}-{Digits(6)}-{Next(0, 9)}",
        15 => $"1Z{Chars(Upper + "0123456789", 16)}",
        16 => string.Join(':', Enumerable.Range(0, 6).Select(_ => Chars("0123456789ABCDEF", 2))),
        17 => Pick($"{Next(1, 999)},{Digits(3)},{Digits(3)}", $"{Next(10000, 99999)}", $"{Next(1, 100)}%", $"ext. {Digits(4)}"),
        18 => Pick("scikit-learn", "task-based", "user@localhost", "@" + Pick(First), "name at example dot com", "desk-sharing", "std::vector", "Asia-Pacific"),
        19 => $"{Next(10, 60)}.{Digits(4)}, {Next(1, 20)}.{Digits(4)}",
        20 => $"invoice {Digits(8)}",
        _ => $"ticket {Next(1000, 9999)}-{Digits(3)}-{Digits(3)}",
    };
}
