using IronAspire.Pii.Detection;
using IronAspire.Pii.Tests.Corpus;
using Xunit.Abstractions;

namespace IronAspire.Pii.Tests;

public sealed class CorpusTests(ITestOutputHelper output)
{
    [Fact]
    public void Labelled_corpus_has_recall_of_at_least_99_and_precision_of_at_least_97_percent()
    {
        var corpus = LabelledCorpus.Generate(seed: 20261124, perType: 600);
        var stats = PiiEntityTypes.BuiltIn.ToDictionary(t => t, _ => new TypeStats());
        var misses = new List<string>();
        var falseAlarms = new List<string>();
        foreach (var sample in corpus)
        {
            var findings = PiiScanner.Default.Scan(sample.Text);
            foreach (var label in sample.Labels)
            {
                stats[label.Type].Labels++;
                if (findings.Any(f => f.Type == label.Type && f.Start == label.Start && f.End == label.End))
                {
                    stats[label.Type].Found++;
                }
                else if (misses.Count < 40)
                {
                    misses.Add($"{label.Type} [{sample.Text[label.Start..label.End]}] in: {sample.Text}");
                }
            }

            foreach (var f in findings)
            {
                stats[f.Type].Reported++;
                if (!sample.Labels.Any(l => l.Type == f.Type && l.Start == f.Start && l.End == f.End))
                {
                    stats[f.Type].Wrong++;
                    if (falseAlarms.Count < 40)
                    {
                        falseAlarms.Add($"{f.Type} [{sample.Text[f.Start..f.End]}] in: {sample.Text}");
                    }
                }
            }
        }

        var negatives = corpus.Count(s => s.Text.Contains(" Ref ", StringComparison.Ordinal)) + corpus.Count(s => s.Labels.Count == 0);
        output.WriteLine($"{corpus.Count} sentences, {stats.Values.Sum(s => s.Labels)} labelled values (exact span match), {negatives} hard negatives");
        output.WriteLine("| Type | Values | Recall | Precision |");
        output.WriteLine("|---|---:|---:|---:|");
        foreach (var (type, s) in stats)
        {
            output.WriteLine($"| {type} | {s.Labels} | {s.Recall:P2} | {s.Precision:P2} |");
        }

        var total = new TypeStats
        {
            Labels = stats.Values.Sum(s => s.Labels),
            Found = stats.Values.Sum(s => s.Found),
            Reported = stats.Values.Sum(s => s.Reported),
            Wrong = stats.Values.Sum(s => s.Wrong),
        };
        output.WriteLine($"| **All** | {total.Labels} | {total.Recall:P2} | {total.Precision:P2} |");
        foreach (var m in misses)
        {
            output.WriteLine("MISS " + m);
        }

        foreach (var m in falseAlarms)
        {
            output.WriteLine("FALSE " + m);
        }

        Assert.True(corpus.Count >= 5000, $"corpus has {corpus.Count} sentences");
        Assert.True(total.Recall >= 0.99, $"recall {total.Recall:P2}");
        Assert.True(total.Precision >= 0.97, $"precision {total.Precision:P2}");
    }

    private sealed class TypeStats
    {
        public int Labels;
        public int Found;
        public int Reported;
        public int Wrong;
        public double Recall => Labels == 0 ? 1 : (double)Found / Labels;
        public double Precision => Reported == 0 ? 1 : (double)(Reported - Wrong) / Reported;
    }
}
