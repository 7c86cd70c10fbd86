using System.Text;
using IronAspire.Pii.Detection;

namespace IronAspire.Pii.Redaction;

/// <summary>
/// Redacts a text that arrives in pieces (SSE deltas). <see cref="Push"/> returns what is safe to emit now and holds
/// back only a tail that could still be the start of an entity: the last word (an e-mail or key may go on), a run of
/// short digit groups separated by single spaces (a phone, card or IBAN may go on), an unfinished JWT or PEM block,
/// and the longest custom type. Plain prose therefore lags by at most one word, a value split across deltas is
/// caught whole, and no part of a value is ever emitted. <see cref="Flush"/> ends the text.
/// Not thread-safe: one instance per streamed text.
/// </summary>
public sealed class StreamingRedactor
{
    /// <summary>Already-emitted text kept in front of the buffer so boundary and context checks see what came before.</summary>
    internal const int ContextChars = 48;

    /// <summary>The longest word held back (e-mail addresses, keys and tokens are shorter).</summary>
    internal const int WordHold = 256;

    /// <summary>The longest run of spaced digit groups held back (a spaced IBAN is 42 chars).</summary>
    internal const int GroupHold = 64;

    private const int MaxGroupToken = 12;

    private readonly PiiRedactor _redactor;
    private readonly List<PiiFinding> _findings = [];
    private readonly StringBuilder _output = new();
    private char[] _buffer = new char[256];
    private int _length;
    private int _context;

    internal StreamingRedactor(PiiRedactor redactor)
    {
        _redactor = redactor;
    }

    /// <summary>Counts and blocked types of everything emitted so far.</summary>
    public PiiTally Tally { get; } = new();

    /// <summary>Chars currently held back (not yet emitted).</summary>
    public int HeldBack => _length - _context;

    /// <summary>Takes the next delta; returns the text that is safe to emit now (possibly empty).</summary>
    public string Push(string delta)
    {
        if (_redactor.IsPassThrough)
        {
            return delta;
        }

        Append(delta);
        var text = _buffer.AsSpan(0, _length);
        _findings.Clear();
        _redactor.Scanner.Scan(text, _context, _findings);

        var hold = HoldFrom(text);
        foreach (var f in _findings)
        {
            // A value across the cut, or one that reaches the end and might go on, is held whole.
            if (f.Start < hold && (f.End > hold || f.End == text.Length) && f.Start >= _context)
            {
                hold = f.Start;
                break;
            }
        }

        return Emit(text, hold);
    }

    /// <summary>Ends the text: returns everything still held back, redacted.</summary>
    public string Flush()
    {
        if (_redactor.IsPassThrough || HeldBack == 0)
        {
            _length = _context = 0;
            return "";
        }

        var text = _buffer.AsSpan(0, _length);
        _findings.Clear();
        _redactor.Scanner.Scan(text, _context, _findings);
        var result = Emit(text, _length);
        _length = _context = 0;
        return result;
    }

    private string Emit(ReadOnlySpan<char> text, int hold)
    {
        hold = Math.Max(hold, _context);
        string result;
        if (hold == _context)
        {
            result = "";
        }
        else if (_findings.Count == 0)
        {
            result = new string(text[_context..hold]);
        }
        else
        {
            _output.Clear();
            _redactor.Write(text, _findings, _context, hold, Tally, _output);
            result = _output.ToString();
        }

        // Keep some emitted text as context, then the held tail.
        var keepFrom = Math.Max(0, hold - ContextChars);
        if (keepFrom > 0)
        {
            text[keepFrom..].CopyTo(_buffer);
            _length -= keepFrom;
        }

        _context = hold - keepFrom;
        return result;
    }

    private void Append(string delta)
    {
        if (_length + delta.Length > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + delta.Length));
        }

        delta.CopyTo(_buffer.AsSpan(_length));
        _length += delta.Length;
    }

    /// <summary>Where the tail that could still become (part of) an entity begins.</summary>
    private int HoldFrom(ReadOnlySpan<char> text)
    {
        var length = text.Length;
        var floor = _context;

        // The last word: any word may be the start of an e-mail address, a key or a token.
        var p = length;
        while (p > floor && length - p < WordHold && !char.IsWhiteSpace(text[p - 1]))
        {
            p--;
        }

        if (length - p == WordHold && p > floor)
        {
            // A very long word: only a JWT may legitimately be longer; hold it from its start.
            p = Math.Min(p, JwtStart(text, floor));
        }

        // Short digit or capital groups before it, one space apart: "+44 20 7946 09", "DE89 3704 0044".
        while (p > floor && text[p - 1] == ' ')
        {
            var q = p - 1;
            while (q > floor && p - 1 - q < MaxGroupToken && IsGroupChar(text[q - 1]))
            {
                q--;
            }

            if (q == p - 1 || length - q > GroupHold || (q > floor && TextChars.IsWord(text[q - 1])) || !HasDigitOrIsShort(text[q..(p - 1)]))
            {
                break;
            }

            p = q;
        }

        // An unfinished PEM block is held until its END line.
        var begin = text[floor..].LastIndexOf(SecretDetector.PemBegin);
        if (begin >= 0 && !SecretDetector.HasPemEnd(text[(floor + begin)..]) && length - (floor + begin) < SecretDetector.MaxPemLength)
        {
            p = Math.Min(p, floor + begin);
        }

        // Custom types may contain anything: hold their longest value.
        if (_redactor.Scanner.MaxCustomLength > 0)
        {
            p = Math.Min(p, Math.Max(floor, length - _redactor.Scanner.MaxCustomLength));
        }

        return p;
    }

    private static bool IsGroupChar(char c) =>
        char.IsAsciiDigit(c) || char.IsAsciiLetterUpper(c) || c is '(' or ')' or '+' or '-' or '.' or '/';

    private static bool HasDigitOrIsShort(ReadOnlySpan<char> token) => token.IndexOfAnyInRange('0', '9') >= 0 || token.Length <= 4;

    /// <summary>The start of a JWT that runs to the end of <paramref name="text"/>, or the end when there is none.</summary>
    private static int JwtStart(ReadOnlySpan<char> text, int floor)
    {
        var from = Math.Max(floor, text.Length - SecretDetector.MaxJwtLength);
        var region = text[from..];
        var tokenStart = region.Length;
        while (tokenStart > 0 && (TextChars.IsToken(region[tokenStart - 1]) || region[tokenStart - 1] == '.'))
        {
            tokenStart--;
        }

        var jwt = region[tokenStart..].IndexOf("eyJ");
        return jwt >= 0 ? from + tokenStart + jwt : text.Length;
    }
}
