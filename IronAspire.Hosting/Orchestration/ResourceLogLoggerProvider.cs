using Microsoft.Extensions.Logging;

namespace IronAspire.Hosting.Orchestration;

/// <summary>
/// Writes the orchestrator's ILogger output into the resource log under the name "apphost", so it is interleaved with
/// the resources' own output on the console and kept in logs/apphost.log.
/// </summary>
public sealed class ResourceLogLoggerProvider(ResourceLog log) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new ResourceLogLogger(log);

    public void Dispose()
    {
    }

    private sealed class ResourceLogLogger(ResourceLog log) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var prefix = logLevel switch
            {
                LogLevel.Warning => "WARNING: ",
                LogLevel.Error or LogLevel.Critical => "ERROR: ",
                _ => "",
            };
            log.Info(prefix + formatter(state, exception));
        }
    }
}
