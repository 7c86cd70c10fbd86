using System.Text.Encodings.Web;
using System.Text.Json;

namespace IronAspire.MockProvider.Wire;

/// <summary>JSON as the providers write it: quotes escaped as <c>\"</c>, non-ASCII text left as UTF-8.</summary>
public static class JsonWire
{
    public static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
