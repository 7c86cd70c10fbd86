using System.Text;

namespace IronAspire.AgentSupervisor.Processes;

/// <summary>
/// An agent's output: the last lines in memory (for the logs API) and every line appended to a file. Bounded both ways
/// (docs/agent-supervisor.md): a line is cut at <see cref="AgentLogLimits.MaxLineChars"/>, and the file is rotated
/// once it passes <see cref="AgentLogLimits.MaxFileBytes"/> (the previous one kept as <c>{agent}.log.1</c>), so an agent
/// can make the Supervisor hold at most lines x line cap in memory and two files on disk.
/// </summary>
public sealed class AgentLogs : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Queue<LogLine> _lines = new();
    private readonly int _capacity;
    private readonly AgentLogLimits _limits;
    private readonly Action<LogLine>? _written;
    private StreamWriter _file;
    private bool _disposed;

    /// <param name="written">Called with each line after it is stored (the live output of the agent).</param>
    public AgentLogs(string path, int capacity, AgentLogLimits limits, Action<LogLine>? written = null)
    {
        _capacity = capacity;
        _limits = limits;
        _written = written;
        FilePath = path;
        // Only the Supervisor reads the logs: an agent (another user) cannot read its own or another agent's files.
        var directory = Path.GetDirectoryName(path)!;
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        _file = Open(path);
    }

    public string FilePath { get; }

    public AgentLogLimits Limits => _limits;

    /// <summary>The files an agent's logs occupy: the current one and the rotated one.</summary>
    public static IEnumerable<string> Files(string path) => [path, path + ".1"];

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

            if (_disposed)
            {
                // The agent was deleted while a grandchild still wrote to its pipe.
                return;
            }

            if (_file.BaseStream.Length >= _limits.MaxFileBytes)
            {
                Rotate();
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

    /// <summary>
    /// Reads a child's output into lines without ever holding more than one capped line: characters past the cap are
    /// counted and dropped until the next newline (the line ends with a note of how many), so a line with no end
    /// costs the Supervisor nothing but the cap.
    /// </summary>
    public async Task PumpAsync(TextReader reader, string stream, TimeProvider time)
    {
        var buffer = new char[8192];
        var line = new StringBuilder();
        long dropped = 0;
        int read;
        while ((read = await ReadAsync(reader, buffer)) > 0)
        {
            for (var i = 0; i < read; i++)
            {
                var c = buffer[i];
                if (c == '\n')
                {
                    Emit();
                }
                else if (line.Length < _limits.MaxLineChars)
                {
                    line.Append(c);
                }
                else
                {
                    dropped++;
                }
            }
        }

        if (line.Length > 0 || dropped > 0)
        {
            Emit();
        }

        void Emit()
        {
            if (line.Length > 0 && line[^1] == '\r')
            {
                line.Length--;
            }

            if (dropped > 0)
            {
                line.Append($" [line cut: {dropped} more characters]");
            }

            Append(stream, line.ToString(), time.GetUtcNow());
            line.Clear();
            dropped = 0;
        }
    }

    /// <summary>A pipe that breaks (the process is gone, the reader disposed) is the end of the output.</summary>
    private static async Task<int> ReadAsync(TextReader reader, char[] buffer)
    {
        try
        {
            return await reader.ReadAsync(buffer);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
            return 0;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _file.Dispose();
        }
    }

    private void Rotate()
    {
        _file.Dispose();
        File.Move(FilePath, FilePath + ".1", overwrite: true);
        _file = Open(FilePath);
    }

    private static StreamWriter Open(string path) =>
        new(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete), new UTF8Encoding(false))
        {
            AutoFlush = true,
        };
}

/// <summary>How much of an agent's output the Supervisor keeps (Supervisor:LogMaxLineChars, Supervisor:LogMaxFileBytes).</summary>
public sealed record AgentLogLimits(int MaxLineChars, long MaxFileBytes);

public sealed record LogLine(DateTimeOffset Timestamp, string Stream, string Text);
