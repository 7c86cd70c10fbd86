using YamlDotNet.Serialization;

namespace IronAspire.AppHost.Kubernetes;

/// <summary>Writes objects as a YAML stream (documents separated by <c>---</c>), quoting every string YAML would read otherwise.</summary>
internal static class YamlDocuments
{
    private static readonly ISerializer Serializer = new SerializerBuilder()
        .WithQuotingNecessaryStrings(quoteYaml1_1Strings: true) // Kubernetes reads YAML 1.1: a bare yes is a boolean
        .WithIndentedSequences()
        .Build();

    public static string Write(IEnumerable<object> documents) =>
        string.Join("---\n", documents.Select(Serializer.Serialize));
}
