using System.Text;

namespace IronAspire.Router.Proxy;

/// <summary>One server-sent event: its optional <c>event:</c> name and its <c>data:</c> payload.</summary>
public sealed class SseEvent(string? name, string data)
{
    public string? Name { get; } = name;
    public string Data { get; set; } = data;

    public static SseEvent Parse(ReadOnlySpan<byte> raw)
    {
        string? name = null;
        StringBuilder? data = null;
        var text = Encoding.UTF8.GetString(raw);
        foreach (var line in text.AsSpan().EnumerateLines())
        {
            if (line.StartsWith("event:"))
            {
                name = line[6..].Trim().ToString();
            }
            else if (line.StartsWith("data:"))
            {
                var value = line[5..];
                if (value.Length > 0 && value[0] == ' ')
                {
                    value = value[1..];
                }

                if (data is null)
                {
                    data = new StringBuilder(value.Length);
                }
                else
                {
                    data.Append('\n');
                }

                data.Append(value);
            }
        }

        return new SseEvent(name, data?.ToString() ?? "");
    }

    public byte[] ToUtf8()
    {
        var builder = new StringBuilder(Data.Length + 32);
        if (Name is not null)
        {
            builder.Append("event: ").Append(Name).Append('\n');
        }

        foreach (var line in Data.AsSpan().EnumerateLines())
        {
            builder.Append("data: ").Append(line).Append('\n');
        }

        builder.Append('\n');
        return Encoding.UTF8.GetBytes(builder.ToString());
    }
}
