using System.Text;

namespace IronAspire.Pii.Benchmarks;

/// <summary>English prose with PII values sprinkled in at a given density, deterministic.</summary>
public static class BenchText
{
    private const string Prose =
        "The quarterly review went well overall, although the team agreed that the onboarding flow still needs work. " +
        "Several customers mentioned that the setup guide was hard to follow and that the screenshots were out of date. " +
        "We decided to rewrite the introduction, move the troubleshooting section closer to the top, and add a short " +
        "video that walks through the first login. Marketing would like the new version before the spring campaign, " +
        "so the writers will start next week and share a draft with support for comments. In the meantime, the support " +
        "team will keep a list of the questions they hear most often, which should tell us where the guide is unclear. " +
        "On the engineering side, the migration to the new storage layer is almost finished; the last step is moving " +
        "the archive, which is large but rarely read. Nobody expects problems, but we will keep the old system running " +
        "for a while in case something was missed. Finally, the office will be closed on Friday afternoon for the " +
        "summer party, and everyone is welcome to bring friends and family along. ";

    private static readonly string[] Entities =
    [
        "jane.doe@example.com", "+44 20 7946 0958", "4242 4242 4242 4242", "DE89 3704 0044 0532 0130 00",
        "192.168.10.42", "123-45-6789", "AKIAIOSFODNN7EXAMPLE", "(415) 555-2671", "ops-team@corp.example.org",
        "2001:db8::8a2e:370:7334",
    ];

    /// <summary>About <paramref name="length"/> chars of prose with <paramref name="perKb"/> entities in every 1024 chars.</summary>
    public static string Build(int length, int perKb)
    {
        var text = new StringBuilder(length + 256);
        var entity = 0;
        var prose = 0;
        while (text.Length < length)
        {
            var kbStart = text.Length;
            for (var i = 0; i < perKb; i++)
            {
                // Spread the entities over the kilobyte, each after a word boundary.
                var target = kbStart + (i + 1) * 1024 / (perKb + 1);
                while (text.Length < target)
                {
                    var word = Prose.IndexOf(' ', prose) + 1;
                    text.Append(Prose, prose, word - prose);
                    prose = word % Prose.Length;
                }

                text.Append(Entities[entity++ % Entities.Length]).Append(' ');
            }

            while (text.Length < kbStart + 1024)
            {
                var word = Prose.IndexOf(' ', prose) + 1;
                text.Append(Prose, prose, word - prose);
                prose = word % Prose.Length;
            }
        }

        return text.ToString(0, length);
    }
}
