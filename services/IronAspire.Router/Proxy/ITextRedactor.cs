namespace IronAspire.Router.Proxy;

/// <summary>Response-side redaction of model text, as the agent's policy asks; null when the policy leaves responses alone.</summary>
public interface IResponseRedaction
{
    /// <summary>Redacts a whole text (non-streamed content).</summary>
    string Redact(string text);

    /// <summary>A redactor for one streamed text (one choice or content block): it holds back a possible partial value.</summary>
    ITextStreamRedactor OpenStream();
}

public interface ITextStreamRedactor
{
    /// <summary>Takes the next delta; returns the text that is safe to emit now.</summary>
    string Push(string delta);

    /// <summary>At the end of the text: returns whatever was held back, redacted.</summary>
    string Flush();
}
