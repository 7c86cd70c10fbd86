using System.Text;

namespace IronAspire.AgentSupervisor.Processes;

/// <summary>An agent's output: the last lines in memory (for the logs API) and every line appended to a file.</summary>
public sealed class AgentLogs : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Queue<LogLine> _lines = new();
    private readonly int _capacity;
    private readonly StreamWriter _file;
    private readonly Action<LogLine>? _written;

    /// <param name="written">Called with each line after it is stored (the live output of the agent).</param>
    public AgentLogs(string path, int capacity, Action<LogLine>? written = null)
    {
        _capacity = capacity;
        _written = written;
        FilePath = path;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        _file = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite), new UTF8Encoding(false))
        {
            AutoFlush = true,
        };
    }

    public string FilePath { get; }

    public void Append(string stream, string text, DateTimeOffset at)
    {
        var line = new LogLine(at, stream, text);
        lock (_gate)
        {
            _lines.Enqueue(line);
            while (_lines.Count > _capacity)
            {
                _lines.Dequeue();
            }

            _file.WriteLine($"{at:O} {stream} {text}");
        }

        _written?.Invoke(line);
    }

    public IReadOnlyList<LogLine> Tail(int count)
    {
        lock (_gate)
        {
            return _lines.Skip(Math.Max(0, _lines.Count - count)).ToArray();
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _file.Dispose();
        }
    }
}

public sealed record LogLine(DateTimeOffset Timestamp, string Stream, string Text);
