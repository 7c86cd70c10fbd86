using System.Text.Json;
using System.Text.Json.Nodes;

namespace IronAspire.Router.Proxy.Streams;

/// <summary>OpenAI chat.completion.chunk streams: usage from the usage chunk, redaction of choices[].delta.content.</summary>
/// <remarks>
/// A chunk is first read without building a tree (<see cref="Utf8JsonReader"/> over the provider's bytes): when the
/// redactor lets every delta through unchanged the provider's bytes go on as they came, and a delta it changes (the
/// streaming redactor holds back a possible partial value, so most do) is spliced into them: no JSON tree, no decoded
/// event, no re-serialisation. Only a finished choice with held-back text, or the usage chunk, is parsed into a tree.
/// </remarks>
public sealed class OpenAIChatStreamProcessor(IResponseRedaction? redaction, bool hideUsageChunk) : StreamProcessor(redaction)
{
    /// <summary>The choices of the chunk being processed (reused from chunk to chunk).</summary>
    private readonly List<ChoiceText> _choices = [];

    /// <summary>The edits of the chunk being spliced, and the buffer it is spliced into (both reused from chunk to chunk).</summary>
    private readonly List<JsonEdit> _edits = [];

    public override void Process(SseEvent evt, List<SseEvent> output)
    {
        if (evt.DataIs("[DONE]"))
        {
            output.Add(evt);
            return;
        }

        if (evt.TryGetDataUtf8(out var utf8) && TryScan(utf8, _choices, out var nullUsage))
        {
            var unchanged = true;
            for (var i = 0; i < _choices.Count; i++)
            {
                var choice = _choices[i];
                if (choice.Text is { } text)
                {
                    choice.Safe = Delta(choice.Key, text);
                    unchanged &= ReferenceEquals(choice.Safe, text) || choice.Safe == text;
                }

                if (Redacting && choice.Finished)
                {
                    choice.Held = EndText(choice.Key);
                    unchanged &= choice.Held.Length == 0;
                }

                _choices[i] = choice;
            }

            // The null usage OpenAI adds to every chunk because the Router asked for usage is hidden too.
            var cutUsage = hideUsageChunk && nullUsage.Length > 0;
            if ((!unchanged || cutUsage) && !TrySplice(evt, utf8, _choices, cutUsage ? nullUsage : null))
            {
                Rewrite(evt, _choices);
            }

            output.Add(evt);
            return;
        }

        ProcessTree(evt, output);
    }

    /// <summary>
    /// Writes changed deltas into the provider's bytes in place of their old strings, and cuts <paramref name="cut"/>
    /// out (no tree, no re-serialisation); false when held-back text must be added to a finished choice, which the
    /// tree path does.
    /// </summary>
    private bool TrySplice(SseEvent evt, ReadOnlySpan<byte> utf8, List<ChoiceText> scanned, JsonEdit? cut)
    {
        _edits.Clear();
        foreach (var choice in scanned)
        {
            if (choice.Held is { Length: > 0 })
            {
                return false;
            }

            if (choice.Text is { } text && !ReferenceEquals(choice.Safe, text) && choice.Safe != text)
            {
                _edits.Add(new JsonEdit(choice.ContentStart, choice.ContentLength, choice.Safe ?? ""));
            }
        }

        if (cut is { } usage)
        {
            // After the choices in OpenAI's chunks, before them in any other order.
            var at = _edits.Count;
            while (at > 0 && _edits[at - 1].Start > usage.Start)
            {
                at--;
            }

            _edits.Insert(at, usage);
        }

        Splice(evt, utf8, _edits);
        return true;
    }

    /// <summary>Writes the redactor's results for the scanned choices into the chunk.</summary>
    private void Rewrite(SseEvent evt, List<ChoiceText> scanned)
    {
        if (ParseObject(evt.Data) is not { } chunk || chunk["choices"] is not JsonArray choices)
        {
            return;
        }

        HideNullUsage(chunk);

        foreach (var choice in scanned)
        {
            if (choices[choice.Position] is not JsonObject c)
            {
                continue;
            }

            var delta = c["delta"] as JsonObject;
            if (choice.Text is { } text && !ReferenceEquals(choice.Safe, text) && choice.Safe != text && delta is not null)
            {
                delta["content"] = choice.Safe;
            }

            if (choice.Held is { Length: > 0 } held)
            {
                AppendHeld(c, delta, held);
            }
        }

        evt.Data = chunk.ToJsonString();
    }

    /// <summary>The chunk read as a tree: the usage chunk (read, and hidden when the Router asked for it) and anything the scan does not take.</summary>
    private void ProcessTree(SseEvent evt, List<SseEvent> output)
    {
        var chunk = ParseObject(evt.Data);
        if (chunk is null)
        {
            output.Add(evt);
            return;
        }

        var changed = HideNullUsage(chunk);
        if (chunk["usage"] is JsonObject usage)
        {
            Usage = UsageReader.Read(usage);
            if (hideUsageChunk)
            {
                if (chunk["choices"] is JsonArray { Count: 0 })
                {
                    return;
                }

                chunk["usage"] = null;
                changed = true;
            }
        }

        if (chunk["choices"] is JsonArray choices)
        {
            foreach (var choice in choices)
            {
                if (choice is not JsonObject c)
                {
                    continue;
                }

                var key = c["index"]?.ToJsonString() ?? "0";
                var delta = c["delta"] as JsonObject;
                if (delta?["content"] is JsonValue content && content.GetValueKind() == JsonValueKind.String)
                {
                    var text = content.GetValue<string>();
                    var safe = Delta(key, text);
                    if (!ReferenceEquals(safe, text) && safe != text)
                    {
                        delta["content"] = safe;
                        changed = true;
                    }
                }

                if (Redacting && c["finish_reason"] is JsonValue finish && finish.GetValueKind() == JsonValueKind.String)
                {
                    var held = EndText(key);
                    if (held.Length > 0)
                    {
                        AppendHeld(c, delta, held);
                        changed = true;
                    }
                }
            }
        }

        if (changed)
        {
            evt.Data = chunk.ToJsonString();
        }

        output.Add(evt);
    }

    /// <summary>Removes <c>"usage": null</c> when the Router asked for usage and the client did not.</summary>
    private bool HideNullUsage(JsonObject chunk) =>
        hideUsageChunk && chunk.TryGetPropertyValue("usage", out var usage) && usage is null && chunk.Remove("usage");

    /// <summary>Adds the text the redactor held back to a finished choice's delta (creating the delta when it has none).</summary>
    private static void AppendHeld(JsonObject choice, JsonObject? delta, string held)
    {
        delta ??= [];
        choice["delta"] = delta;
        var before = delta["content"].AsString() ?? "";
        delta["content"] = before + held;
    }

    /// <summary>
    /// Reads a chunk's choices (their index, delta text and whether they finished) without building a tree; false for
    /// anything the tree path must handle: a usage chunk (a chunk whose usage is null is not one), a shape it does not
    /// expect, or JSON it cannot read.
    /// </summary>
    private static bool TryScan(ReadOnlySpan<byte> json, List<ChoiceText> choices, out JsonEdit nullUsage)
    {
        choices.Clear();
        nullUsage = default;
        var reader = new Utf8JsonReader(json);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("usage"u8))
                {
                    // With include_usage OpenAI puts "usage": null in every chunk but the last: only the usage itself
                    // takes the tree path.
                    var name = (int)reader.TokenStartIndex;
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.Null)
                    {
                        return false;
                    }

                    nullUsage = JsonSplice.CutProperty(json, name, (int)reader.BytesConsumed);
                    continue;
                }

                if (!reader.ValueTextEquals("choices"u8))
                {
                    reader.Skip();
                    continue;
                }

                reader.Read();
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    reader.Skip();
                    continue;
                }

                for (var position = 0; reader.Read() && reader.TokenType != JsonTokenType.EndArray; position++)
                {
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        reader.Skip();
                    }
                    else if (!TryScanChoice(ref reader, position, choices))
                    {
                        return false;
                    }
                }
            }

            return reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == 0;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // Not JSON, or text that is not valid UTF-8 (GetString cannot decode it): the tree path reads the decoded event.
            return false;
        }
    }

    private static bool TryScanChoice(ref Utf8JsonReader reader, int position, List<ChoiceText> choices)
    {
        var choice = new ChoiceText { Position = position, Key = "0" };
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("index"u8))
            {
                reader.Read();
                switch (reader.TokenType)
                {
                    case JsonTokenType.Number:
                        choice.Key = IndexKey(reader.ValueSpan);
                        break;
                    case JsonTokenType.Null:
                        break;
                    default:
                        return false; // as the tree path keys it (its JSON text)
                }
            }
            else if (reader.ValueTextEquals("delta"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    reader.Skip();
                    continue;
                }

                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("content"u8))
                    {
                        reader.Read();
                        if (reader.TokenType == JsonTokenType.String)
                        {
                            choice.Text = reader.GetString();
                            // The string token in the chunk's bytes: its quotes around its raw (still escaped) value.
                            choice.ContentStart = (int)reader.TokenStartIndex;
                            choice.ContentLength = reader.ValueSpan.Length + 2;
                        }
                        else
                        {
                            choice.Text = null;
                            reader.Skip();
                        }
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
            }
            else if (reader.ValueTextEquals("finish_reason"u8))
            {
                reader.Read();
                choice.Finished = reader.TokenType == JsonTokenType.String;
                reader.Skip();
            }
            else
            {
                reader.Skip();
            }
        }

        choices.Add(choice);
        return reader.TokenType == JsonTokenType.EndObject;
    }

    private struct ChoiceText
    {
        public int Position;
        public string Key;
        public string? Text;
        public bool Finished;
        public string? Safe;
        public string? Held;
        public int ContentStart;
        public int ContentLength;
    }
}
