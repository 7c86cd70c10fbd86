using System.Collections.Concurrent;

namespace IronAspire.Hosting.Orchestration;

/// <summary>
/// Where every resource's output goes: the console (prefixed with the resource name, as the Aspire dashboard's
/// console view does), a log file per resource in the state folder, and a bounded in-memory tail for tests.
/// </summary>
public sealed class ResourceLog : IDisposable
{
    private static readonly Lock ConsoleLock = new();
    private readonly ConcurrentDictionary<string, StreamWriter> _files = new();
    private readonly ConcurrentQueue<string> _tail = new();
    private readonly string _directory;
    private readonly bool _toConsole;
    private volatile bool _disposed;

    public ResourceLog(string directory, bool toConsole)
    {
        _directory = directory;
        _toConsole = toConsole;
        Directory.CreateDirectory(directory);
    }

    /// <summary>Raised for every line written (orchestrator and resources); tests wait on it.</summary>
    public event Action<string>? LineWritten;

    public void Write(string resource, string line)
    {
        var formatted = $"{resource,-17}| {line}";
        if (_toConsole)
        {
            lock (ConsoleLock)
            {
                Console.Out.WriteLine(formatted);
            }
        }

        if (!_disposed)
        {
            var file = _files.GetOrAdd(resource, name => new StreamWriter(Path.Combine(_directory, name + ".log"), append: true) { AutoFlush = true });
            lock (file)
            {
                // A last line from a process may arrive while the application is being disposed.
                if (!_disposed)
                {
                    file.WriteLine($"{DateTimeOffset.UtcNow:O} {line}");
                }
            }
        }

        _tail.Enqueue(formatted);
        while (_tail.Count > 5000 && _tail.TryDequeue(out _))
        {
        }

        LineWritten?.Invoke(formatted);
    }

    /// <summary>The orchestrator's own messages, under the name "apphost".</summary>
    public void Info(string message) => Write("apphost", message);

    public IReadOnlyCollection<string> Tail => _tail.ToArray();

    public void Dispose()
    {
        _disposed = true;
        foreach (var file in _files.Values)
        {
            lock (file)
            {
                file.Dispose();
            }
        }
    }
}
